package io.trustmesh.agent;

import io.trustmesh.api.grpc.UnixSockets;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Gets many workload SVIDs signed at once: the entries are cut into batches (one CSR each, one node
 * API call per batch) and up to {@code inFlight} batches are generated and signed at the same time,
 * so that key generation on the agent and signing on the server use every core and overlap with the
 * round trips. Each batch is handed to the caller as soon as it is back, on the calling thread, so
 * the agent can serve it before the rest arrive.
 *
 * <pre>{@code
 * SvidRenewal r = new SvidRenewal(node::sign, 100, 4);
 * RuntimeException failed = r.renew(dueEntryIds, batch -> serve(batch));
 * }</pre>
 */
final class SvidRenewal implements AutoCloseable {
  private final Function<List<String>, NodeClient.Signed> sign;
  private final int batchSize;
  private final ExecutorService pool;

  SvidRenewal(Function<List<String>, NodeClient.Signed> sign, int batchSize, int inFlight) {
    this.sign = sign;
    this.batchSize = batchSize;
    this.pool = Executors.newFixedThreadPool(inFlight, UnixSockets.daemonThreads("trustmesh-agent-renew"));
  }

  /**
   * Signs {@code entryIds} and calls {@code onBatch} with each batch's result as it arrives.
   *
   * @return the first failure of a batch (the other batches were still signed and handed over), or null
   */
  RuntimeException renew(List<String> entryIds, Consumer<NodeClient.Signed> onBatch) {
    if (entryIds.isEmpty()) {
      return null;
    }
    CompletionService<NodeClient.Signed> done = new ExecutorCompletionService<>(pool);
    int batches = 0;
    for (int from = 0; from < entryIds.size(); from += batchSize) {
      List<String> batch = List.copyOf(entryIds.subList(from, Math.min(entryIds.size(), from + batchSize)));
      done.submit(() -> sign.apply(batch));
      batches++;
    }
    RuntimeException failed = null;
    for (int i = 0; i < batches; i++) {
      try {
        onBatch.accept(done.take().get());
      } catch (ExecutionException e) {
        if (failed == null) {
          failed = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while renewing SVIDs", e);
      }
    }
    return failed;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
