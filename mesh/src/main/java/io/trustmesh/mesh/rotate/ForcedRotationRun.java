package io.trustmesh.mesh.rotate;

import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.admin.proto.SigningCa;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One {@code trustmesh rotate}: asks the server behind the admin socket for a forced rotation and,
 * with {@code wait}, follows it until the new CA signs and every SVID was re-issued (and, in a mesh,
 * every sidecar serves a re-issued one), printing a line each time something moves. With the
 * sidecars of a mesh it also counts the connections they failed meanwhile.
 *
 * <pre>{@code
 * Outcome o = new ForcedRotationRun(admin, Optional.of(sidecars), Clock.systemUTC(), System.out::println)
 *     .run(true, true, Duration.ZERO, true, Duration.ofMinutes(5));
 * }</pre>
 */
public final class ForcedRotationRun {
  private static final Duration POLL = Duration.ofMillis(500);

  /**
   * What happened: the status right after asking and at the end, whether everything asked for was
   * done (always false without {@code wait}), and the sidecars' connections meanwhile.
   */
  public record Outcome(RotationStatus asked, RotationStatus last, boolean complete, Duration took,
      Optional<SidecarConnections.Counts> traffic, int sidecarsServingNew, int sidecars) {}

  private final AdminClient admin;
  private final Optional<SidecarConnections> mesh;
  private final Optional<SidecarCertificates> certificates;
  private final Clock clock;
  private final Consumer<String> progress;

  public ForcedRotationRun(AdminClient admin, Optional<MeshStateFile> state, Clock clock, Consumer<String> progress) {
    this.admin = admin;
    this.mesh = state.map(s -> new SidecarConnections(s.sidecars()));
    this.certificates = state.map(s -> new SidecarCertificates(s.sidecars()));
    this.clock = clock;
    this.progress = progress;
  }

  public Outcome run(boolean ca, boolean svids, Duration propagation, boolean wait, Duration timeout)
      throws InterruptedException {
    Instant start = clock.instant();
    Optional<SidecarConnections.Counts> before = mesh.map(SidecarConnections::read);
    RotationStatus asked = admin.rotate(ca, svids, propagation);
    RotationStatus last = asked;
    boolean complete = false;
    int serving = 0;
    int total = certificates.map(SidecarCertificates::size).orElse(0);
    if (wait) {
      Instant deadline = start.plus(timeout);
      String said = "";
      while (true) {
        String line = describe(last, ca, svids);
        boolean serverDone = done(last, ca, svids);
        if (serverDone && svids && certificates.isPresent()) {
          serving = certificates.get().servingSince(Instant.ofEpochSecond(last.getSvidsNotBeforeEpochSeconds()));
          line += "; sidecars serving a re-issued SVID " + serving + "/" + total;
          serverDone = serving == total;
        }
        if (!line.equals(said)) {
          progress.accept(line);
          said = line;
        }
        if (serverDone) {
          complete = true;
          break;
        }
        if (!clock.instant().isBefore(deadline)) {
          break;
        }
        Thread.sleep(POLL.toMillis());
        last = admin.rotationStatus();
      }
    }
    Optional<SidecarConnections.Counts> traffic = before.flatMap(b -> mesh.map(m -> m.read().minus(b)));
    return new Outcome(asked, last, complete, Duration.between(start, clock.instant()), traffic, serving, total);
  }

  /** Everything asked for is done on the server's side. */
  static boolean done(RotationStatus s, boolean ca, boolean svids) {
    boolean caDone = !ca || state(s, s.getRotatedTo()).map(c -> c.getState().equals("active")).orElse(false);
    boolean svidsDone = !svids || (!s.getSvidsPendingActivation() && s.getSvidsNotBeforeEpochSeconds() > 0
        && s.getSvidsReissued() >= s.getSvidsExpected());
    return caDone && svidsDone;
  }

  static Optional<SigningCa> state(RotationStatus s, String id) {
    return s.getCasList().stream().filter(c -> c.getId().equals(id)).findFirst();
  }

  private String describe(RotationStatus s, boolean ca, boolean svids) {
    StringBuilder b = new StringBuilder();
    if (ca) {
      Optional<SigningCa> next = state(s, s.getRotatedTo());
      if (next.isPresent() && next.get().getState().equals("prepared")) {
        long in = Math.max(0, next.get().getNextChangeEpochSeconds() - clock.instant().getEpochSecond());
        b.append("new CA ").append(s.getRotatedTo()).append(" published, signs in ").append(in)
            .append("s (the bundle is propagating to agents)");
      } else {
        b.append("new CA ").append(s.getRotatedTo()).append(" signs");
      }
    }
    if (svids) {
      if (b.length() > 0) {
        b.append("; ");
      }
      if (s.getSvidsPendingActivation() || s.getSvidsNotBeforeEpochSeconds() == 0) {
        b.append("SVID re-issue starts when the new CA signs");
      } else {
        b.append("SVIDs re-issued ").append(s.getSvidsReissued()).append("/").append(s.getSvidsExpected());
      }
    }
    return b.toString();
  }
}
