package io.trustmesh.policy.meshfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each mistake in a mesh file is reported with its file, line and field (and nothing is half-loaded). */
class MeshFileErrorsTest {
  static final String HEAD = "apiVersion: trustmesh.io/v1alpha1\n"   // 1
      + "kind: Mesh\n"                                                 // 2
      + "trustDomain: example.org\n";                                   // 3

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of("unknown top-level field", HEAD + "mtlss:\n  mode: STRICT\nservices:\n  - name: a\n",
            4, "mtlss", "unknown field"),
        Arguments.of("unknown field in a port", HEAD + "services:\n  - name: a\n    ports:\n      - port: 80\n        mdoe: STRICT\n",
            8, "services[0].ports[0].mdoe", "unknown field"),
        Arguments.of("bad mode", HEAD + "services:\n  - name: a\n    ports:\n      - port: 80\n        mode: STRIKT\n",
            8, "services[0].ports[0].mode", "\"STRIKT\" is not one of STRICT, PERMISSIVE, DISABLE"),
        Arguments.of("bad namespace mode", HEAD + "mtls:\n  namespaces:\n    legacy: OFF\nservices:\n  - name: a\n",
            6, "mtls.namespaces.legacy", "is not one of STRICT, PERMISSIVE, DISABLE"),
        Arguments.of("bad SPIFFE ID", HEAD + "services:\n  - name: a\n    spiffeId: spiffe://example.org/ns//sa/a\n",
            6, "services[0].spiffeId", "not a SPIFFE ID"),
        Arguments.of("SPIFFE ID with upper-case trust domain", HEAD + "services:\n  - name: a\n    spiffeId: spiffe://Example.org/a\n",
            6, "services[0].spiffeId", "not a SPIFFE ID"),
        Arguments.of("SPIFFE ID of another trust domain", HEAD + "services:\n  - name: a\n    spiffeId: spiffe://other.org/a\n",
            6, "services[0].spiffeId", "not in the mesh's trust domain example.org"),
        Arguments.of("bad allow prefix", HEAD + "services:\n  - name: a\n    allow:\n      - prefix: http://example.org/ns\n",
            7, "services[0].allow[0].prefix", "not a SPIFFE ID"),
        Arguments.of("a port overridden twice", HEAD + "services:\n  - name: a\n    ports:\n      - port: 80\n        mode: STRICT\n"
            + "      - port: 80\n        mode: DISABLE\n", 9, "services[0].ports[1].port", "port 80 is declared twice (first at line 7)"),
        Arguments.of("duplicate service", HEAD + "services:\n  - name: a\n  - name: a\n    namespace: x\n",
            6, "services[1].name", "duplicate service name 'a' (first at line 5)"),
        Arguments.of("upstream naming an unknown service", HEAD + "services:\n  - name: a\n    upstreams:\n      - service: b\n",
            7, "services[0].upstreams[0].service", "no service named 'b'"),
        Arguments.of("command and address", HEAD + "services:\n  - name: a\n    command: [x]\n    address: 127.0.0.1\n",
            5, "services[0]", "not both"),
        Arguments.of("SVID TTL over 24h", HEAD + "ca:\n  svidTtl: 48h\nservices:\n  - name: a\n",
            5, "ca.svidTtl", "at most 24h"),
        Arguments.of("two services, one identity", HEAD + "services:\n  - name: a\n    spiffeId: spiffe://example.org/x\n"
            + "  - name: b\n    spiffeId: spiffe://example.org/x\n", 7, "services[1]", "cannot share one identity"),
        Arguments.of("missing trust domain", "apiVersion: trustmesh.io/v1alpha1\nkind: Mesh\nservices:\n  - name: a\n",
            1, "", "missing required field 'trustDomain'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void reportsFileLineAndField(String name, String yaml, int line, String field, String problem) {
    assertThatThrownBy(() -> MeshFileLoader.parse("mesh.yaml", yaml))
        .isInstanceOfSatisfying(MeshFileException.class, e -> {
          assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
          assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
          assertThat(e.getMessage()).startsWith("mesh.yaml:" + line + ": ").contains(problem);
        });
  }

  @Test
  void aKeyRepeatedInOneMappingIsRefusedWithBothLines() {
    // Last-one-wins would let "mode: STRICT" on line 8 be overridden unseen by line 9.
    String yaml = HEAD + "services:\n  - name: a\n    ports:\n      - port: 80\n        mode: STRICT\n        mode: DISABLE\n";
    assertThatThrownBy(() -> MeshFileLoader.parse("mesh.yaml", yaml))
        .isInstanceOfSatisfying(MeshFileException.class, e -> assertThat(e.getMessage())
            .isEqualTo("mesh.yaml:9: duplicate key 'mode' in services.0.ports.0 (first at line 8)"));
  }

  @Test
  void malformedYamlNamesTheLine() {
    assertThatThrownBy(() -> MeshFileLoader.parse("mesh.yaml", HEAD + "services: [\n  - name: a\n"))
        .isInstanceOfSatisfying(MeshFileException.class, e -> assertThat(e.line()).isPositive());
  }
}
