package io.trustmesh.agent;

import io.trustmesh.api.grpc.UnixSockets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every listener (each Workload API stream, the file sink) that the agent's snapshot changed,
 * on a few threads shared by all listeners, never one per stream. Each listener reads the latest
 * snapshot when it runs, so publications that arrive while a round is running are coalesced into one
 * more round: a burst of renewals costs a bounded number of rounds, and the last round always sees
 * the last snapshot.
 *
 * <pre>{@code
 * UpdateFanout fanout = new UpdateFanout(2);
 * fanout.add(stream::update);
 * fanout.publish(); // returns at once; listeners run on the fan-out threads
 * }</pre>
 */
final class UpdateFanout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpdateFanout.class);
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final int parallelism;
  /** Runs one round at a time, so that a listener never runs twice at once. */
  private final ExecutorService rounds =
      Executors.newSingleThreadExecutor(UnixSockets.daemonThreads("trustmesh-agent-fanout"));
  private final ExecutorService workers;
  private final AtomicBoolean pending = new AtomicBoolean();

  UpdateFanout(int parallelism) {
    this.parallelism = Math.max(1, parallelism);
    this.workers = Executors.newFixedThreadPool(this.parallelism,
        UnixSockets.daemonThreads("trustmesh-agent-fanout-worker"));
  }

  AutoCloseable add(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Schedules a round unless one is already waiting to start (which will see this change too). */
  void publish() {
    if (pending.compareAndSet(false, true)) {
      try {
        rounds.execute(this::round);
      } catch (RejectedExecutionException closing) {
        pending.set(false);
      }
    }
  }

  private void round() {
    pending.set(false); // a publication from now on schedules another round
    List<Runnable> all = List.copyOf(listeners);
    int per = (all.size() + parallelism - 1) / parallelism;
    List<Future<?>> parts = new ArrayList<>();
    try {
      for (int from = 0; from < all.size(); from += per) {
        List<Runnable> part = all.subList(from, Math.min(all.size(), from + per));
        parts.add(workers.submit(() -> part.forEach(UpdateFanout::runQuietly)));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } catch (RejectedExecutionException closing) {
      // the agent is closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.warn("an update round failed: {}", e.getCause().toString());
    }
  }

  private static void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("an update listener failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    rounds.shutdownNow();
    workers.shutdownNow();
  }
}
