package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.meshfile.MeshFile;
import java.util.List;

/**
 * trustmesh itself on Kubernetes: a namespace, the server as a one-replica StatefulSet whose
 * datastore and keys live on a PersistentVolumeClaim (from {@code volumeClaimTemplates}), a Service
 * for its node API, and the agent as a DaemonSet that serves the Workload API on the node at
 * {@code /run/trustmesh/agent.sock} (a hostPath directory, the agent's socket default as root).
 */
final class KubernetesRenderer {
  static final String NAMESPACE = "trustmesh-system";
  static final String IMAGE = "ghcr.io/trustmesh/trustmesh:0.1.0";
  static final int NODE_API_PORT = 8081;
  static final String SOCKET_DIR = "/run/trustmesh";
  static final String DATA_DIR = "/var/lib/trustmesh";

  private KubernetesRenderer() {}

  static List<RenderedFile> render(MeshFile mesh) {
    Documents docs = new Documents(mesh.file());
    int td = mesh.lines().at("/trustDomain");
    int ca = mesh.lines().at("/ca");
    docs.add(td, "trustmesh control plane", Documents.resource("v1", "Namespace", "", NAMESPACE));
    docs.add(ca, "trustmesh server", server(mesh));
    docs.add(ca, "trustmesh server node API", service());
    docs.add(td, "trustmesh agent", agent(mesh));
    return List.of(new RenderedFile("kubernetes.yaml", docs.text()));
  }

  private static ObjectNode labelled(ObjectNode o, String app) {
    ((ObjectNode) o.get("metadata")).putObject("labels").put(Workloads.APP_LABEL, app);
    return o;
  }

  private static ObjectNode server(MeshFile mesh) {
    ObjectNode sts = labelled(Documents.resource("apps/v1", "StatefulSet", NAMESPACE, "trustmesh-server"), "trustmesh-server");
    ObjectNode spec = sts.putObject("spec");
    spec.put("serviceName", "trustmesh-server");
    spec.put("replicas", 1);
    spec.putObject("selector").putObject("matchLabels").put(Workloads.APP_LABEL, "trustmesh-server");
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put(Workloads.APP_LABEL, "trustmesh-server");
    ObjectNode pod = template.putObject("spec");
    pod.putObject("securityContext").put("runAsNonRoot", true).put("runAsUser", 65532).put("fsGroup", 65532);
    ObjectNode c = container(pod, "server");
    ArrayNode args = c.putArray("args");
    for (String a : new String[] {"server", "--trust-domain", mesh.trustDomain().name(), "--data-dir", DATA_DIR,
        "--listen", "0.0.0.0:" + NODE_API_PORT, "--ca-ttl", Durations.compact(mesh.ca().signingCaTtl()),
        "--svid-ttl", Durations.compact(mesh.ca().svidTtl())}) {
      args.add(a);
    }
    ObjectNode port = c.putArray("ports").addObject();
    port.put("name", "node-api");
    port.put("containerPort", NODE_API_PORT);
    ObjectNode mount = c.putArray("volumeMounts").addObject();
    mount.put("name", "data");
    mount.put("mountPath", DATA_DIR);
    ObjectNode claim = spec.putArray("volumeClaimTemplates").addObject();
    claim.putObject("metadata").put("name", "data");
    ObjectNode claimSpec = claim.putObject("spec");
    claimSpec.putArray("accessModes").add("ReadWriteOnce");
    claimSpec.putObject("resources").putObject("requests").put("storage", "1Gi");
    return sts;
  }

  private static ObjectNode service() {
    ObjectNode svc = labelled(Documents.resource("v1", "Service", NAMESPACE, "trustmesh-server"), "trustmesh-server");
    ObjectNode spec = svc.putObject("spec");
    spec.putObject("selector").put(Workloads.APP_LABEL, "trustmesh-server");
    ObjectNode port = spec.putArray("ports").addObject();
    port.put("name", "node-api");
    port.put("port", NODE_API_PORT);
    port.put("targetPort", "node-api");
    return svc;
  }

  private static ObjectNode agent(MeshFile mesh) {
    ObjectNode ds = labelled(Documents.resource("apps/v1", "DaemonSet", NAMESPACE, "trustmesh-agent"), "trustmesh-agent");
    ObjectNode spec = ds.putObject("spec");
    spec.putObject("selector").putObject("matchLabels").put(Workloads.APP_LABEL, "trustmesh-agent");
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put(Workloads.APP_LABEL, "trustmesh-agent");
    ObjectNode pod = template.putObject("spec");
    ObjectNode c = container(pod, "agent");
    ArrayNode args = c.putArray("args");
    for (String a : new String[] {"agent", "--server", "trustmesh-server." + NAMESPACE + ".svc:" + NODE_API_PORT,
        "--trust-bundle", "/etc/trustmesh/bundle/bundle.pem", "--join-token", "$(TRUSTMESH_JOIN_TOKEN)",
        "--data-dir", "/var/lib/trustmesh-agent", "--socket", "unix://" + SOCKET_DIR + "/agent.sock"}) {
      args.add(a);
    }
    ObjectNode env = c.putArray("env").addObject();
    env.put("name", "TRUSTMESH_JOIN_TOKEN");
    ObjectNode secretRef = env.putObject("valueFrom").putObject("secretKeyRef");
    secretRef.put("name", "trustmesh-agent-join-token");
    secretRef.put("key", "token");
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("name", "socket-dir").put("mountPath", SOCKET_DIR);
    mounts.addObject().put("name", "bundle").put("mountPath", "/etc/trustmesh/bundle").put("readOnly", true);
    mounts.addObject().put("name", "agent-data").put("mountPath", "/var/lib/trustmesh-agent");
    ArrayNode volumes = pod.putArray("volumes");
    ObjectNode socket = volumes.addObject().put("name", "socket-dir");
    socket.putObject("hostPath").put("path", SOCKET_DIR).put("type", "DirectoryOrCreate");
    volumes.addObject().put("name", "bundle").putObject("configMap").put("name", "trustmesh-bundle");
    ObjectNode data = volumes.addObject().put("name", "agent-data");
    data.putObject("hostPath").put("path", "/var/lib/trustmesh-agent").put("type", "DirectoryOrCreate");
    return ds;
  }

  private static ObjectNode container(ObjectNode pod, String name) {
    ObjectNode c = pod.putArray("containers").addObject();
    c.put("name", name);
    c.put("image", IMAGE);
    ObjectNode sc = c.putObject("securityContext");
    sc.put("allowPrivilegeEscalation", false);
    sc.put("readOnlyRootFilesystem", true);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    return c;
  }
}
