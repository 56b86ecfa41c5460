package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.admin.proto.SigningCa;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.time.Durations;
import io.trustmesh.mesh.rotate.ForcedRotationRun;
import io.trustmesh.mesh.rotate.MeshStateFile;
import io.trustmesh.mesh.rotate.RotationReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustmesh rotate}: a forced signing-CA rotation and/or re-issue of every SVID, while traffic flows. */
@Command(name = "rotate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Force a rotation now, while traffic flows: a new signing CA (--ca) and/or the re-issue of",
      "every X.509-SVID (--svids). With neither flag, both.",
      "",
      "--ca rotates the signing CA of the server behind the admin socket (with several HA servers,",
      "each has its own; rotate each through its own socket). The new CA is published in the bundle",
      "at once; when the bundle lists the signing CAs themselves (self-signed, the default) it signs",
      "only after --propagation, the time agents need to fetch it and hand it to their workloads;",
      "under an upstream CA ('trustmesh ca') every SVID carries its signing CA and the root does",
      "not change, so it signs at once. The old CA stays in the bundle until everything it signed",
      "has expired, then retires.",
      "--svids makes every agent (on every server sharing the datastore) re-issue each SVID issued",
      "before now (with --ca: before the new CA signs) at its next sync; Workload API clients and",
      "sidecars receive the new ones at once.",
      "",
      "In a mesh started with 'trustmesh up', --wait also waits for every sidecar to serve a",
      "re-issued SVID, and the output says how many connections the sidecars failed meanwhile",
      "(also saved as STATE_DIR/rotation.json).",
      "",
      "Examples:",
      "  trustmesh rotate --wait                          # the mesh in ./.trustmesh: CA and SVIDs",
      "  trustmesh rotate --svids --admin-socket /run/trustmesh/server/admin.sock",
      "  trustmesh rotate --ca --svids --wait --timeout 5m --output json"
    },
    footer = {"", "Exit codes: 0 done (or asked, without --wait), 1 --wait timed out or a sidecar connection failed,",
        "2 a usage or input error."})
final class RotateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--ca", description = "Rotate the signing CA of the server behind the admin socket.")
  boolean ca;

  @Option(names = "--svids", description = "Re-issue every X.509-SVID in the trust domain.")
  boolean svids;

  @ArgGroup(exclusive = true)
  Target target;

  static final class Target {
    @Option(names = "--admin-socket", paramLabel = "PATH", description = "The server's admin socket.")
    Path adminSocket;

    @Option(names = "--state-dir", paramLabel = "DIR",
        description = "A mesh's state directory; its state.json names the admin socket and the sidecars"
            + " (default: ./.trustmesh, else the default admin socket: " + AdminClient.DEFAULT_SOCKET_HELP + ").")
    Path stateDir;
  }

  @Option(names = "--propagation", paramLabel = "DURATION",
      description = "How long the new CA is published before it signs, when the bundle lists the signing CAs"
          + " (default: the server's, 1m). Must exceed the agents' sync interval.")
  Duration propagation = Duration.ZERO;

  @Option(names = "--wait", description = "Wait until the new CA signs and every SVID was re-issued, printing progress.")
  boolean await;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin OutputOption output;

  @Override
  public Integer call() throws InterruptedException {
    if (propagation.isNegative()) {
      throw new BadInputException("--propagation must not be negative: " + Durations.format(propagation));
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new BadInputException("--timeout must be positive: " + Durations.format(timeout));
    }
    boolean rotateCa = ca || !svids;
    boolean rotateSvids = svids || !ca;
    Optional<MeshStateFile> mesh = mesh();
    Path socket = target != null && target.adminSocket != null ? target.adminSocket
        : mesh.map(MeshStateFile::adminSocket).orElseGet(AdminClient::defaultSocket);
    PrintWriter out = spec.commandLine().getOut();
    Logging.quietNetty();
    Instant at = Instant.now();
    ForcedRotationRun.Outcome o;
    try (AdminClient admin = AdminClient.connect(socket)) {
      ForcedRotationRun run = new ForcedRotationRun(admin, mesh, Clock.systemUTC(), line -> {
        if (!output.json()) {
          out.println("  " + line);
          out.flush();
        }
      });
      if (!output.json()) {
        out.println("Rotating " + (rotateCa ? "the signing CA" : "") + (rotateCa && rotateSvids ? " and " : "")
            + (rotateSvids ? "every SVID" : "") + " via " + socket + (await ? "; waiting" : ""));
      }
      o = run.run(rotateCa, rotateSvids, propagation, await, timeout);
    }
    ObjectNode report = RotationReport.json(o, socket, rotateCa, rotateSvids, await, at);
    mesh.ifPresent(m -> RotationReport.save(m.file().getParent(), report));
    if (output.json()) {
      OutputFormat.print(out, report);
    } else {
      printText(out, o, rotateCa, rotateSvids);
    }
    boolean failedConnections = o.traffic().map(t -> t.failed() > 0).orElse(false);
    return (await && !o.complete()) || failedConnections ? Main.FAILED : Main.OK;
  }

  /** The mesh whose state.json names the socket, unless --admin-socket was given. */
  private Optional<MeshStateFile> mesh() {
    if (target != null && target.adminSocket != null) {
      return Optional.empty();
    }
    if (target != null && target.stateDir != null) {
      return Optional.of(MeshStateFile.read(target.stateDir));
    }
    Path dflt = Path.of(".trustmesh");
    return Files.exists(dflt.resolve(MeshStateFile.NAME)) ? Optional.of(MeshStateFile.read(dflt)) : Optional.empty();
  }

  private static void printText(PrintWriter out, ForcedRotationRun.Outcome o, boolean ca, boolean svids) {
    RotationStatus s = o.last();
    if (ca) {
      out.println("Signing CA (" + (s.getPublication().equals("anchors")
          ? "the bundle lists signing CAs: the new one was published before it signs)"
          : "under an upstream root: every SVID carries its signing CA, the new one signs at once)"));
      out.println("  old  " + describe(s, s.getRotatedFrom()));
      out.println("  new  " + describe(s, s.getRotatedTo()));
    }
    if (svids) {
      if (s.getSvidsPendingActivation() || s.getSvidsNotBeforeEpochSeconds() == 0) {
        out.println("SVIDs: every SVID is re-issued once the new CA signs");
      } else {
        out.println("SVIDs: re-issued " + s.getSvidsReissued() + "/" + s.getSvidsExpected() + " (every SVID with notBefore"
            + " before " + Instant.ofEpochSecond(s.getSvidsNotBeforeEpochSeconds()) + ")"
            + (o.sidecars() > 0 ? "; sidecars serving a re-issued SVID " + o.sidecarsServingNew() + "/" + o.sidecars() : ""));
        s.getSvidsPendingList().forEach(p -> out.println("  pending  " + p));
      }
    }
    o.traffic().ifPresent(t -> out.println("Sidecar connections during the rotation: " + t.connections() + ", failed "
        + t.failed() + (t.unreachable() > 0 ? " (" + t.unreachable() + " sidecar(s) did not answer)" : "")));
    if (o.complete()) {
      out.println("Done in " + Durations.format(o.took().withNanos(0)) + ".");
    }
  }

  private static String describe(RotationStatus s, String id) {
    Optional<SigningCa> c = s.getCasList().stream().filter(x -> x.getId().equals(id)).findFirst();
    if (c.isEmpty()) {
      return id + "  retired";
    }
    SigningCa x = c.get();
    String next = x.getNextChangeEpochSeconds() == 0 ? ""
        : (x.getState().equals("prepared") ? ", signs from " : ", leaves the bundle at ")
            + Instant.ofEpochSecond(x.getNextChangeEpochSeconds());
    return x.getId() + "  serial " + x.getSerial() + "  notAfter " + Instant.ofEpochSecond(x.getNotAfterEpochSeconds())
        + "  " + x.getState() + next;
  }
}
