package io.trustmesh.policy.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.policy.model.ContainerPort;
import io.trustmesh.policy.model.Namespace;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.source.Manifest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Core Kubernetes objects: Namespace, Service, and the workload kinds (via their pod template). */
final class KubernetesObjects {
  private KubernetesObjects() {}

  static Namespace namespace(Manifest m) {
    return new Namespace(Fields.clusterRef(m), Fields.strings(m.metadata().path("labels")),
        Fields.strings(m.metadata().path("annotations")));
  }

  static Service service(Manifest m, ModelReader.Problems problems) {
    List<ServicePort> ports = new ArrayList<>();
    JsonNode list = m.spec().path("ports");
    for (int i = 0; i < list.size(); i++) {
      JsonNode p = list.get(i);
      int port = p.path("port").asInt(0);
      if (port < 1 || port > 65535) {
        problems.invalid(m, "/spec/ports/" + i + "/port", "Service port '" + Fields.text(p.path("port")) + "' is not 1-65535");
        continue;
      }
      ports.add(new ServicePort(Fields.text(p.path("name")), port, Fields.text(p.path("targetPort")),
          m.at("/spec/ports/" + i)));
    }
    return new Service(Fields.ref(m), Fields.strings(m.spec().path("selector")), ports);
  }

  /** A Pod, or a controller whose pod template is read as the workload. */
  static Workload workload(Manifest m) {
    boolean pod = m.kind().equals("Pod");
    String base = pod ? "" : "/spec/template";
    JsonNode meta = pod ? m.metadata() : m.spec().path("template").path("metadata");
    JsonNode podSpec = pod ? m.spec() : m.spec().path("template").path("spec");
    List<ContainerPort> ports = new ArrayList<>();
    List<JsonNode> probes = new ArrayList<>();
    for (String group : List.of("initContainers", "containers")) {
      JsonNode containers = podSpec.path(group);
      for (int c = 0; c < containers.size(); c++) {
        JsonNode container = containers.get(c);
        JsonNode cports = container.path("ports");
        for (int i = 0; i < cports.size(); i++) {
          JsonNode p = cports.get(i);
          ports.add(new ContainerPort(p.path("containerPort").asInt(0), Fields.text(p.path("name")),
              m.at(base + "/spec/" + group + "/" + c + "/ports/" + i)));
        }
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
          probes.add(container.path(probe));
        }
      }
    }
    Set<Integer> probePorts = new HashSet<>();
    for (JsonNode probe : probes) {
      for (String handler : List.of("httpGet", "tcpSocket", "grpc")) {
        JsonNode port = probe.path(handler).path("port");
        if (port.canConvertToInt()) {
          probePorts.add(port.asInt());
        } else if (port.isTextual()) {
          ports.stream().filter(p -> p.name().equals(port.asText())).forEach(p -> probePorts.add(p.port()));
        }
      }
    }
    Map<String, String> labels = Fields.strings(meta.path("labels"));
    return new Workload(Fields.ref(m), labels, Fields.strings(meta.path("annotations")), ports, probePorts);
  }
}
