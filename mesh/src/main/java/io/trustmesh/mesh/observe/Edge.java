package io.trustmesh.mesh.observe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Who called whom and how, aggregated over connections: the row of {@code trustmesh edges} (the
 * columns of {@code linkerd viz edges}) and an arrow of the dashboard's graph.
 *
 * @param secured {@link ObservedConnection#SECURED} or why not
 * @param category mtls, plaintext, denied, handshake_failure or other
 */
public record Edge(String src, String dst, String srcNamespace, String dstNamespace, String clientId,
    String serverId, String secured, String category, long connections, long bytes, Instant lastSeen) {

  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("src", src);
    n.put("dst", dst);
    n.put("src_namespace", srcNamespace);
    n.put("dst_namespace", dstNamespace);
    n.put("client_id", clientId);
    n.put("server_id", serverId);
    n.put("secured", secured);
    n.put("category", category);
    n.put("connections", connections);
    n.put("bytes", bytes);
    n.put("last_seen", lastSeen.toString());
    return n;
  }
}
