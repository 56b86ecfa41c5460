package io.trustmesh.mesh.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.mesh.run.LocalPlan.InboundPort;
import io.trustmesh.mesh.run.LocalPlan.OutboundPort;
import io.trustmesh.mesh.run.LocalPlan.ServicePlan;
import io.trustmesh.policy.meshfile.MeshFileException;
import io.trustmesh.policy.meshfile.MeshFileLoader;
import io.trustmesh.policy.meshfile.Mode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The quick-start file laid out on one host, and the layouts one host cannot hold. */
class LocalPlanTest {
  static final Path QUICKSTART = Path.of("..", "examples", "quickstart", "trustmesh.yaml");
  final AtomicInteger next = new AtomicInteger(40000);

  private ServicePlan service(LocalPlan plan, String name) {
    return plan.services().stream().filter(s -> s.service().name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void theQuickstartMeshIsStrictExceptTheLegacyNamespaceAndTheMetricsPort() {
    LocalPlan plan = LocalPlan.of(MeshFileLoader.load(QUICKSTART), next::getAndIncrement);

    // the apps serve their mTLS ports on unix sockets (their commands name ${TRUSTMESH_APP_SOCKET_<port>})
    assertThat(service(plan, "web").inbound()).containsExactly(new InboundPort("inbound-8080", 8080, "127.0.0.1", 18080,
        Mode.STRICT, true));
    assertThat(service(plan, "api").inbound()).containsExactly(new InboundPort("inbound-8081", 8081, "127.0.0.1",
        18081, Mode.PERMISSIVE, true));
    assertThat(service(plan, "payments").inbound()).containsExactly(
        new InboundPort("inbound-8443", 8443, "127.0.0.1", 18443, Mode.STRICT, true),
        new InboundPort("inbound-9090", 9090, "127.0.0.1", 19090, Mode.DISABLE, false));
    assertThat(service(plan, "web").outbound()).containsExactly(new OutboundPort("outbound-api", "api", 15001, 8081,
        true, Optional.of(SpiffeId.parse("spiffe://quickstart.trustmesh.local/ns/legacy/sa/api")), true));
    assertThat(service(plan, "intruder").outbound()).singleElement().satisfies(o -> {
      assertThat(o.targetPort()).isEqualTo(8443);
      assertThat(o.expect().orElseThrow()).hasToString("spiffe://quickstart.trustmesh.local/ns/payments/sa/payments");
    });
    ServicePlan legacy = service(plan, "legacy-client");
    assertThat(legacy.meshed()).isFalse();
    assertThat(legacy.inbound()).isEmpty();
    assertThat(legacy.outbound()).isEmpty();
    assertThat(next.get()).as("the quick-start file fixes every port").isEqualTo(40000);
    assertThat(plan.localPorts()).as("app ports and local ports on sockets are neither claimed nor bound")
        .containsExactlyInAnyOrder(8080, 8081, 8443, 9090, 19090);
  }

  @Test
  void socketPlaceholdersInTheCommandTakeThePortsOffTcpAndAreReplacedWithThePaths() {
    LocalPlan plan = LocalPlan.of(MeshFileLoader.parse("m.yaml", String.join("\n",
        "apiVersion: trustmesh.io/v1alpha1",
        "kind: Mesh",
        "trustDomain: example.org",
        "services:",
        "  - name: a",
        "    command: [a, --listen, \"${TRUSTMESH_APP_SOCKET_8080}\", \"--b=${TRUSTMESH_UPSTREAM_SOCKET_B_SVC}\"]",
        "    ports:",
        "      - port: 8080",
        "    upstreams:",
        "      - service: b-svc",
        "  - name: b-svc",
        "    command: [b]",
        "    ports:",
        "      - port: 8443",
        "")), next::getAndIncrement);
    ServicePlan a = service(plan, "a");
    assertThat(a.inbound().get(0).appSocket()).isTrue();
    assertThat(a.outbound().get(0).localSocket()).isTrue();
    assertThat(service(plan, "b-svc").inbound().get(0).appSocket()).isFalse();
    assertThat(next.get()).as("only b-svc's app port is picked").isEqualTo(40001);
    assertThat(ServiceSockets.substitute(a.service().command(), java.util.Map.of(
        "TRUSTMESH_APP_SOCKET_8080", "unix:/s/run/a/app-8080.sock",
        "TRUSTMESH_UPSTREAM_SOCKET_B_SVC", "unix:/s/run/a/b-svc.sock")))
        .containsExactly("a", "--listen", "unix:/s/run/a/app-8080.sock", "--b=unix:/s/run/a/b-svc.sock");
  }

  @Test
  void portsTheFileLeavesOutArePickedAndAnUpstreamOnADisablePortIsPlaintext() {
    LocalPlan plan = LocalPlan.of(MeshFileLoader.parse("m.yaml", String.join("\n",
        "apiVersion: trustmesh.io/v1alpha1",
        "kind: Mesh",
        "trustDomain: example.org",
        "services:",
        "  - name: a",
        "    command: [a]",
        "    upstreams:",
        "      - service: b",
        "        port: 9090",
        "  - name: b",
        "    command: [b]",
        "    ports:",
        "      - port: 8443",
        "      - port: 9090",
        "        mode: DISABLE",
        "")), next::getAndIncrement);
    OutboundPort o = service(plan, "a").outbound().get(0);
    assertThat(o.localPort()).isEqualTo(40000);
    assertThat(service(plan, "b").inbound()).extracting(InboundPort::appPort).containsExactly(40001, 40002);
    assertThat(o.mutual()).isFalse();
    assertThat(o.expect()).isEmpty();
  }

  @Test
  void twoServicesOnOnePortAreRefusedWithTheLineAndField() {
    String text = String.join("\n",
        "apiVersion: trustmesh.io/v1alpha1",
        "kind: Mesh",
        "trustDomain: example.org",
        "services:",
        "  - name: a",
        "    command: [a]",
        "    ports:",
        "      - port: 8080",
        "        appPort: 18080",
        "  - name: b",
        "    command: [b]",
        "    ports:",
        "      - port: 8080",
        "        appPort: 18081",
        "");
    assertThatThrownBy(() -> LocalPlan.of(MeshFileLoader.parse("m.yaml", text), next::getAndIncrement))
        .isInstanceOf(MeshFileException.class)
        .hasMessage("m.yaml:13: services[1].ports[0].port: port 8080 (service b, port 8080) is also taken by service a,"
            + " port 8080: on one host"
            + " every sidecar, upstream and app port needs its own number");
  }

  @Test
  void severalExpectedIdentitiesForOneUpstreamAreRefused() {
    String text = String.join("\n",
        "apiVersion: trustmesh.io/v1alpha1",
        "kind: Mesh",
        "trustDomain: example.org",
        "services:",
        "  - name: a",
        "    upstreams:",
        "      - service: b",
        "        expect: [spiffe://example.org/b, spiffe://example.org/c]",
        "  - name: b",
        "    ports:",
        "      - port: 8080",
        "");
    assertThatThrownBy(() -> LocalPlan.of(MeshFileLoader.parse("m.yaml", text), next::getAndIncrement))
        .isInstanceOf(MeshFileException.class).hasMessageStartingWith("m.yaml:7: services[0].upstreams[0].expect:");
  }
}
