package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ContainerPort;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import io.trustmesh.policy.model.Workload;
import java.util.List;
import java.util.Optional;

/**
 * How Services reach workloads: the workloads a Service selects (same namespace, selector subset
 * of pod labels) and the container port a Service port lands on ({@code targetPort} as a number,
 * as a container port name, or empty meaning the same number).
 */
public final class ServicePorts {
  private final MeshModel model;

  public ServicePorts(MeshModel model) {
    this.model = model;
  }

  public List<Workload> backends(Service s) {
    if (s.selector().isEmpty()) {
      return List.of();
    }
    return model.workloads().stream().filter(w -> w.namespace().equals(s.namespace()) && w.matches(s.selector())).toList();
  }

  public List<Service> servicesOf(Workload w) {
    return model.services().stream()
        .filter(s -> s.namespace().equals(w.namespace()) && !s.selector().isEmpty() && w.matches(s.selector())).toList();
  }

  /** The container port number a Service port reaches on a workload, if it can be told. */
  public static Optional<Integer> targetPort(ServicePort sp, Workload w) {
    String t = sp.targetPort();
    if (t.isEmpty()) {
      return Optional.of(sp.port());
    }
    try {
      return Optional.of(Integer.parseInt(t));
    } catch (NumberFormatException e) {
      return w.ports().stream().filter(p -> p.name().equals(t)).map(ContainerPort::port).findFirst();
    }
  }
}
