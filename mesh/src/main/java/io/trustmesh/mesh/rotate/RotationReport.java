package io.trustmesh.mesh.rotate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.admin.proto.SigningCa;
import io.trustmesh.core.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A forced rotation's outcome as data: what {@code trustmesh rotate --output json} prints and what
 * it leaves in a mesh's state directory as {@code rotation.json} for {@code status} and the
 * dashboard (the last rotation, and how many connections the sidecars failed during it).
 *
 * <pre>{@code
 * {"admin_socket": "...", "ca": {"publication": "anchors", "old": {...}, "new": {...}},
 *  "svids": {"not_before": "...", "expected": 4, "reissued": 4, "pending": []},
 *  "complete": true, "took_ms": 2300, "connections": {"total": 120, "failed": 0}}
 * }</pre>
 */
public final class RotationReport {
  /** The file {@code rotate} leaves in a mesh's state directory. */
  public static final String FILE = "rotation.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RotationReport() {}

  public static ObjectNode json(ForcedRotationRun.Outcome o, Path adminSocket, boolean ca, boolean svids, boolean waited,
      Instant at) {
    ObjectNode n = JSON.createObjectNode();
    n.put("at", at.toString());
    n.put("admin_socket", adminSocket.toString());
    RotationStatus s = o.last();
    if (ca) {
      ObjectNode c = n.putObject("ca");
      c.put("publication", s.getPublication());
      ca(c, "old", s, s.getRotatedFrom());
      ca(c, "new", s, s.getRotatedTo());
    }
    if (svids) {
      ObjectNode v = n.putObject("svids");
      if (s.getSvidsNotBeforeEpochSeconds() > 0 && !s.getSvidsPendingActivation()) {
        v.put("not_before", Instant.ofEpochSecond(s.getSvidsNotBeforeEpochSeconds()).toString());
      } else {
        v.putNull("not_before");
      }
      v.put("expected", s.getSvidsExpected());
      v.put("reissued", s.getSvidsReissued());
      ArrayNode p = v.putArray("pending");
      s.getSvidsPendingList().forEach(p::add);
      if (o.sidecars() > 0) {
        v.put("sidecars", o.sidecars());
        v.put("sidecars_serving_reissued", o.sidecarsServingNew());
      }
    }
    n.put("waited", waited);
    n.put("complete", o.complete());
    n.put("took_ms", o.took().toMillis());
    o.traffic().ifPresent(t -> {
      ObjectNode c = n.putObject("connections");
      c.put("total", t.connections());
      c.put("failed", t.failed());
      c.put("sidecars_unreachable", t.unreachable());
    });
    return n;
  }

  private static void ca(ObjectNode parent, String name, RotationStatus s, String id) {
    Optional<SigningCa> c = ForcedRotationRun.state(s, id);
    ObjectNode n = parent.putObject(name);
    n.put("id", id);
    c.ifPresentOrElse(x -> {
      n.put("serial", x.getSerial());
      n.put("not_after", Instant.ofEpochSecond(x.getNotAfterEpochSeconds()).toString());
      n.put("state", x.getState());
      if (x.getNextChangeEpochSeconds() > 0) {
        n.put(x.getState().equals("prepared") ? "activates_at" : "retires_at",
            Instant.ofEpochSecond(x.getNextChangeEpochSeconds()).toString());
      }
    }, () -> n.put("state", "retired"));
  }

  public static String render(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Leaves the report in the state directory (atomically; the directory is the user's, 0700). */
  public static void save(Path stateDir, ObjectNode n) {
    AtomicFiles.write(stateDir.resolve(FILE), (render(n) + "\n").getBytes(StandardCharsets.UTF_8), false);
  }
}
