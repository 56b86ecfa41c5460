package io.trustmesh.agent;

import io.trustmesh.core.svid.X509Svid;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one identity as files, like spiffe-helper: {@code svid.pem}, {@code svid_key.pem} (0600)
 * and {@code svid_bundle.pem}, all three atomically, whenever it changes; then runs the
 * {@code --on-update-exec} command (with {@code sh -c}), e.g. to make a server reload.
 */
final class FileSink {
  private static final Logger LOG = LoggerFactory.getLogger(FileSink.class);
  private final TrustmeshAgent agent;
  private final Path dir;
  private final Optional<String> spiffeId;
  private final Optional<String> command;
  private volatile String lastSerial = "";

  FileSink(TrustmeshAgent agent, Path dir, Optional<String> spiffeId, Optional<String> command) {
    this.agent = agent;
    this.dir = dir;
    this.spiffeId = spiffeId;
    this.command = command;
  }

  synchronized void write() {
    Snapshot s = agent.snapshot();
    Optional<X509Svid> svid = s.entries().stream()
        .filter(e -> spiffeId.isEmpty() || spiffeId.get().equals(e.spiffeId()))
        .map(Registration::id)
        .map(s.svids()::get)
        .filter(Objects::nonNull)
        .findFirst();
    if (svid.isEmpty()) {
      return;
    }
    String serial = svid.get().leaf().getSerialNumber().toString(16) + "/" + s.bundle().hashCode();
    if (serial.equals(lastSerial)) {
      return;
    }
    svid.get().write(dir, s.bundle());
    lastSerial = serial;
    LOG.info("wrote {} to {}", svid.get().spiffeId(), dir);
    command.ifPresent(this::run);
  }

  private void run(String cmd) {
    try {
      Process p = new ProcessBuilder("sh", "-c", cmd).inheritIO().start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        LOG.warn("--on-update-exec command timed out after 60s: {}", cmd);
      } else if (p.exitValue() != 0) {
        LOG.warn("--on-update-exec command exited with {}: {}", p.exitValue(), cmd);
      }
    } catch (java.io.IOException e) {
      LOG.warn("cannot run --on-update-exec command {}: {}", cmd, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
