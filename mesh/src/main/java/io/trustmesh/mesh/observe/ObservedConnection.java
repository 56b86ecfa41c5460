package io.trustmesh.mesh.observe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One connection as a sidecar of the mesh saw it, with both ends named: a service of the mesh
 * where the identity (or the sidecar that wrote the line) says which, otherwise the caller's
 * SPIFFE ID or address. {@code seenBy} names the sidecar ({@code api inbound}); a connection
 * between two services of the mesh is seen by both the caller's outbound and the callee's inbound
 * sidecar.
 *
 * @param port the port the connection addressed: the mesh file's port of the inbound sidecar
 *     (its {@code mesh_port} when it listens elsewhere); for an outbound sidecar the upstream's port
 *     when known, else its local listen port
 */
public record ObservedConnection(Instant time, String src, String srcNamespace, String dst, String dstNamespace,
    String clientId, String serverId, int port, String seenBy, String tls, String result, String reason,
    String detail, long bytesFromClient, long bytesToClient, double durationMs) {

  /** The mark {@code edges} prints for a connection that was mutually authenticated and allowed. */
  public static final String SECURED = "\u2713";

  /**
   * What {@code edges} prints in its SECURED column: {@link #SECURED}, or why not: {@code plaintext},
   * {@code denied (peer_not_allowed)}, {@code handshake failure (peer_unknown_authority)}.
   */
  public String secured() {
    return switch (result) {
      case "denied" -> "denied" + because();
      case "handshake_failed" -> "handshake failure" + because();
      case "rejected" -> "rejected" + because();
      default -> switch (tls) {
        case "mtls" -> SECURED;
        case "tls" -> "tls without client identity";
        case "" -> "unknown";
        default -> tls;
      };
    };
  }

  /** One word for colours and filters: mtls, plaintext, denied, handshake_failure, other. */
  public String category() {
    return switch (result) {
      case "denied", "rejected" -> "denied";
      case "handshake_failed" -> "handshake_failure";
      default -> tls.equals("mtls") ? "mtls" : tls.equals("plaintext") ? "plaintext" : "other";
    };
  }

  private String because() {
    return reason.isEmpty() ? "" : " (" + reason + ")";
  }

  /** The object {@code tap --output json} prints and the dashboard's API serves. */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("time", time.toString());
    n.put("src", src);
    n.put("src_namespace", srcNamespace);
    n.put("dst", dst);
    n.put("dst_namespace", dstNamespace);
    n.put("client_id", clientId);
    n.put("server_id", serverId);
    n.put("port", port);
    n.put("seen_by", seenBy);
    n.put("tls", tls);
    n.put("result", result);
    n.put("reason", reason);
    n.put("detail", detail);
    n.put("secured", secured());
    n.put("bytes_from_client", bytesFromClient);
    n.put("bytes_to_client", bytesToClient);
    n.put("duration_ms", durationMs);
    return n;
  }
}
