package io.trustmesh.server;

import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.IssuedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Group commit of issuance records: every record handed in while a transaction is being written is
 * written by the next one, so concurrent issuances (several agents, several batches of one agent)
 * share one transaction and one fsync. {@link Issuer} hands in a whole batch at once, before it
 * signs it, so the writer wakes once per batch and the fsync overlaps the signing. One thread
 * writes; a caller gets a future that completes once its records are committed, and hands out no
 * certificate before that.
 *
 * <p>"Committed" is the datastore's durability: with SQLite (WAL, {@code synchronous=FULL}) the
 * write-ahead log is fsynced before the commit returns, so an acknowledged record survives a crash
 * or power loss; with PostgreSQL, the server's own commit (default {@code synchronous_commit=on}).
 *
 * <pre>{@code
 * IssuanceLog log = new IssuanceLog(store);
 * CompletableFuture<Void> durable = log.append(records);
 * durable.join(); // only now may the certificates leave the server
 * }</pre>
 */
final class IssuanceLog implements AutoCloseable {
  private record Pending(List<IssuedRecord> records, CompletableFuture<Void> committed) {}

  private final DataStore store;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  IssuanceLog(DataStore store) {
    this.store = store;
    this.writer = new Thread(this::run, "trustmesh-issuance-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues {@code records} for the next transaction; the future fails with the datastore's error. */
  CompletableFuture<Void> append(List<IssuedRecord> records) {
    CompletableFuture<Void> committed = new CompletableFuture<>();
    if (closed) {
      committed.completeExceptionally(new IllegalStateException("the server is shutting down"));
      return committed;
    }
    Pending p = new Pending(List.copyOf(records), committed);
    queue.add(p);
    if (closed && queue.remove(p)) { // closed meanwhile: the writer may be gone
      committed.completeExceptionally(new IllegalStateException("the server is shutting down"));
    }
    return committed;
  }

  private void run() {
    List<Pending> group = new ArrayList<>();
    while (!closed) {
      try {
        group.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(group);
      List<IssuedRecord> all = new ArrayList<>();
      group.forEach(p -> all.addAll(p.records()));
      try {
        store.recordIssued(all);
        group.forEach(p -> p.committed().complete(null));
      } catch (RuntimeException e) {
        group.forEach(p -> p.committed().completeExceptionally(e));
      }
      group.clear();
    }
    IllegalStateException stopped = new IllegalStateException("the server is shutting down");
    queue.forEach(p -> p.committed().completeExceptionally(stopped));
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
  }
}
