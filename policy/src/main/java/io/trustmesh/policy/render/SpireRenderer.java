package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshService;
import java.util.List;

/**
 * The mesh file for SPIRE on Kubernetes: {@code server.conf} (trust domain, {@code ca_ttl} = the
 * signing CA TTL, {@code default_x509_svid_ttl} = the SVID TTL, key type, SQLite datastore, disk key
 * manager, {@code k8s_psat} node attestation), {@code agent.conf} (the same trust domain, Workload
 * API socket, {@code k8s} workload attestation) and one spire-controller-manager
 * {@code ClusterSPIFFEID} per service with a sidecar, pinning its exact SPIFFE ID to its pods.
 */
final class SpireRenderer {
  static final String CLUSTER = "trustmesh";
  static final String DATA_DIR = "/run/spire/data";
  static final String SOCKET = "/run/spire/sockets/agent.sock";

  private SpireRenderer() {}

  static List<RenderedFile> render(MeshFile mesh) {
    String source = "# from " + new Documents(mesh.file()).sourceName() + ":" + mesh.lines().at("/ca") + "\n";
    return List.of(
        new RenderedFile("server.conf", source + server(mesh)),
        new RenderedFile("agent.conf", source + agent(mesh)),
        new RenderedFile("cluster-spiffe-ids.yaml", clusterSpiffeIds(mesh)));
  }

  private static String server(MeshFile mesh) {
    return "server {\n"
        + "  bind_address = \"0.0.0.0\"\n"
        + "  bind_port = \"8081\"\n"
        + "  trust_domain = \"" + mesh.trustDomain().name() + "\"\n"
        + "  data_dir = \"" + DATA_DIR + "\"\n"
        + "  log_level = \"INFO\"\n"
        + "  ca_ttl = \"" + Durations.compact(mesh.ca().signingCaTtl()) + "\"\n"
        + "  default_x509_svid_ttl = \"" + Durations.compact(mesh.ca().svidTtl()) + "\"\n"
        + "  ca_key_type = \"" + mesh.ca().keyType().spelling() + "\"\n"
        + "}\n\n"
        + "plugins {\n"
        + "  DataStore \"sql\" {\n"
        + "    plugin_data {\n"
        + "      database_type = \"sqlite3\"\n"
        + "      connection_string = \"" + DATA_DIR + "/datastore.sqlite3\"\n"
        + "    }\n"
        + "  }\n\n"
        + "  KeyManager \"disk\" {\n"
        + "    plugin_data {\n"
        + "      keys_path = \"" + DATA_DIR + "/keys.json\"\n"
        + "    }\n"
        + "  }\n\n"
        + "  NodeAttestor \"k8s_psat\" {\n"
        + "    plugin_data {\n"
        + "      clusters = {\n"
        + "        \"" + CLUSTER + "\" = {\n"
        + "          service_account_allow_list = [\"spire:spire-agent\"]\n"
        + "        }\n"
        + "      }\n"
        + "    }\n"
        + "  }\n"
        + "}\n";
  }

  private static String agent(MeshFile mesh) {
    return "agent {\n"
        + "  data_dir = \"" + DATA_DIR + "\"\n"
        + "  log_level = \"INFO\"\n"
        + "  server_address = \"spire-server.spire.svc\"\n"
        + "  server_port = \"8081\"\n"
        + "  socket_path = \"" + SOCKET + "\"\n"
        + "  trust_bundle_path = \"/run/spire/bundle/bundle.crt\"\n"
        + "  trust_domain = \"" + mesh.trustDomain().name() + "\"\n"
        + "}\n\n"
        + "plugins {\n"
        + "  NodeAttestor \"k8s_psat\" {\n"
        + "    plugin_data {\n"
        + "      cluster = \"" + CLUSTER + "\"\n"
        + "    }\n"
        + "  }\n\n"
        + "  KeyManager \"disk\" {\n"
        + "    plugin_data {\n"
        + "      directory = \"" + DATA_DIR + "\"\n"
        + "    }\n"
        + "  }\n\n"
        + "  WorkloadAttestor \"k8s\" {\n"
        + "    plugin_data {}\n"
        + "  }\n"
        + "}\n";
  }

  private static String clusterSpiffeIds(MeshFile mesh) {
    Documents docs = new Documents(mesh.file());
    for (MeshService s : mesh.services()) {
      if (!s.sidecar()) {
        continue;
      }
      ObjectNode id = Documents.resource("spire.spiffe.io/v1alpha1", "ClusterSPIFFEID", "", s.namespace() + "-" + s.name());
      ObjectNode spec = id.putObject("spec");
      spec.put("spiffeIDTemplate", s.spiffeId().toString());
      spec.putObject("namespaceSelector").putObject("matchLabels").put("kubernetes.io/metadata.name", s.namespace());
      spec.putObject("podSelector").putObject("matchLabels").put(Workloads.APP_LABEL, s.name());
      spec.put("ttl", Durations.go(mesh.ca().svidTtl()));
      docs.add(s.line(), "service " + s.name(), id);
    }
    return docs.text();
  }
}
