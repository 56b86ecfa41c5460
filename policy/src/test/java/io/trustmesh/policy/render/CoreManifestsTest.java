package io.trustmesh.policy.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.policy.source.Manifest;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Core Kubernetes kinds have no CRD to validate against: their structure is checked here (what the
 * API server would refuse, and what the trustmesh deployment relies on). Also: output is
 * deterministic and every document names the mesh-file line it came from.
 */
class CoreManifestsTest {
  @Test
  void serverIsAStatefulSetWithAVolumeClaimAndAService() {
    List<Manifest> ms = Rendered.manifests(RenderTarget.KUBERNETES);
    assertThat(ms).extracting(m -> m.kind() + " " + m.namespace() + "/" + m.name()).containsExactly(
        "Namespace default/trustmesh-system",
        "StatefulSet trustmesh-system/trustmesh-server",
        "Service trustmesh-system/trustmesh-server",
        "DaemonSet trustmesh-system/trustmesh-agent");
    JsonNode sts = ms.get(1).spec();
    assertThat(sts.path("serviceName").asText()).isEqualTo("trustmesh-server");
    assertThat(sts.path("selector").path("matchLabels")).isEqualTo(sts.path("template").path("metadata").path("labels"));
    JsonNode server = sts.path("template").path("spec").path("containers").get(0);
    assertThat(server.path("args").toString()).contains("\"server\"", "\"--trust-domain\",\"quickstart.trustmesh.local\"",
        "\"--ca-ttl\",\"168h\"", "\"--svid-ttl\",\"1h\"");
    JsonNode claim = sts.path("volumeClaimTemplates").get(0);
    assertThat(claim.path("metadata").path("name").asText()).isEqualTo(server.path("volumeMounts").get(0).path("name").asText());
    assertThat(claim.path("spec").path("accessModes").get(0).asText()).isEqualTo("ReadWriteOnce");
    assertThat(claim.path("spec").path("resources").path("requests").path("storage").asText()).isEqualTo("1Gi");
    assertThat(sts.path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();

    JsonNode svc = ms.get(2).spec();
    assertThat(svc.path("selector")).isEqualTo(sts.path("selector").path("matchLabels"));
    assertThat(svc.path("ports").get(0).path("targetPort").asText()).isEqualTo(server.path("ports").get(0).path("name").asText());
  }

  @Test
  void agentDaemonSetServesTheWorkloadApiOnAHostPathSocket() {
    JsonNode ds = Rendered.manifests(RenderTarget.KUBERNETES).get(3).spec();
    assertThat(ds.path("selector").path("matchLabels")).isEqualTo(ds.path("template").path("metadata").path("labels"));
    JsonNode pod = ds.path("template").path("spec");
    JsonNode agent = pod.path("containers").get(0);
    assertThat(agent.path("args").toString()).contains("\"--socket\",\"unix:///run/trustmesh/agent.sock\"",
        "\"--server\",\"trustmesh-server.trustmesh-system.svc:8081\"");
    JsonNode socketVolume = pod.path("volumes").get(0);
    assertThat(socketVolume.path("hostPath").path("path").asText()).isEqualTo("/run/trustmesh");
    assertThat(agent.path("volumeMounts").get(0).path("name").asText()).isEqualTo(socketVolume.path("name").asText());
    assertThat(agent.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/run/trustmesh");
    assertThat(agent.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    // every volume a container mounts exists
    for (JsonNode m : agent.path("volumeMounts")) {
      assertThat(pod.path("volumes").findValuesAsText("name")).contains(m.path("name").asText());
    }
  }

  @Test
  void workloadsMatchTheirSelectors() {
    for (RenderTarget t : List.of(RenderTarget.ISTIO, RenderTarget.LINKERD)) {
      for (Manifest m : Rendered.manifests(t)) {
        if (m.kind().equals("Deployment")) {
          assertThat(m.spec().path("selector").path("matchLabels").path("app").asText()).isEqualTo(m.name());
          assertThat(m.spec().path("template").path("metadata").path("labels").path("app").asText()).isEqualTo(m.name());
        }
      }
    }
  }

  @Test
  void outputIsDeterministicAndEveryDocumentNamesItsMeshFileLine() throws Exception {
    List<String> lines = Files.readAllLines(Rendered.QUICKSTART);
    Pattern from = Pattern.compile("^# from trustmesh\\.yaml:(\\d+)", Pattern.MULTILINE);
    for (RenderTarget t : RenderTarget.values()) {
      assertThat(Rendered.files(t)).isEqualTo(Rendered.files(t));
      for (RenderedFile f : Rendered.files(t)) {
        String[] docs = f.text().split("(?m)^---\\n");
        for (String doc : docs) {
          if (doc.isBlank()) {
            continue;
          }
          Matcher m = from.matcher(doc);
          assertThat(m.find()).as(t + " " + f.name() + ":\n" + doc).isTrue();
          int line = Integer.parseInt(m.group(1));
          assertThat(line).isBetween(1, lines.size());
          assertThat(lines.get(line - 1)).as("line " + line).isNotBlank().doesNotStartWith("#");
        }
      }
    }
  }
}
