package io.trustmesh.policy.meshfile;

import io.trustmesh.core.spiffe.SpiffeId;
import java.util.List;
import java.util.Optional;

/**
 * One service of the mesh. {@code command} (argv, started by {@code trustmesh up}) and
 * {@code address} (a host where it already listens) are mutually exclusive; a service with neither
 * is only declared (rendered, given an identity). {@code mode} is the workload-level override.
 * {@code sidecar} false marks a workload outside the mesh (a legacy plaintext client): it gets no
 * sidecar and no SVID, and reaches other services only where their ports accept plaintext.
 * {@code allow} is who may call it over mTLS; empty means no authenticated caller is admitted.
 */
public record MeshService(
    String name,
    String namespace,
    SpiffeId spiffeId,
    List<String> command,
    Optional<String> address,
    Optional<String> image,
    boolean sidecar,
    Optional<Mode> mode,
    List<MeshPort> ports,
    List<Upstream> upstreams,
    List<AllowRule> allow,
    int line) {

  public MeshService {
    command = List.copyOf(command);
    ports = List.copyOf(ports);
    upstreams = List.copyOf(upstreams);
    allow = List.copyOf(allow);
  }

  /** Whether an authenticated caller with this ID is in the allow list. */
  public boolean admits(SpiffeId caller) {
    return allow.stream().anyMatch(r -> r.admits(caller));
  }

  public Optional<MeshPort> port(int number) {
    return ports.stream().filter(p -> p.port() == number).findFirst();
  }
}
