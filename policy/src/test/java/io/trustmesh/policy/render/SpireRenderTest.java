package io.trustmesh.policy.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.Analysis;
import io.trustmesh.policy.PolicyAnalyzer;
import io.trustmesh.policy.model.SpireConfig;
import io.trustmesh.policy.read.SpireConfigReader;
import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.rules.Severity;
import io.trustmesh.policy.source.InputFiles;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rendered SPIRE configuration reads back through policy's SPIRE reader, with no error findings. */
class SpireRenderTest {
  @Test
  void serverAndAgentConfParseAndCarryTheMeshFileSettings() {
    List<RenderedFile> files = Rendered.files(RenderTarget.SPIRE);
    assertThat(files).extracting(RenderedFile::name).containsExactly("server.conf", "agent.conf", "cluster-spiffe-ids.yaml");
    SpireConfig server = read(files.get(0));
    assertThat(server.role()).isEqualTo(SpireConfig.Role.SERVER);
    assertThat(server.setting("trust_domain")).contains("quickstart.trustmesh.local");
    assertThat(server.setting("ca_ttl")).contains("168h");
    assertThat(server.setting("default_x509_svid_ttl")).contains("1h");
    assertThat(server.setting("ca_key_type")).contains("ec-p256");
    SpireConfig agent = read(files.get(1));
    assertThat(agent.role()).isEqualTo(SpireConfig.Role.AGENT);
    assertThat(agent.setting("trust_domain")).contains("quickstart.trustmesh.local");

    List<InputFiles.Input> inputs = files.stream().map(f -> new InputFiles.Input(f.name(), f.text())).toList();
    Analysis a = new PolicyAnalyzer(AnalysisOptions.defaults()).analyze(inputs, Optional.empty());
    assertThat(a.resolution().model().problems()).isEmpty();
    assertThat(a.findings()).filteredOn(f -> f.severity().atLeast(Severity.ERROR)).isEmpty();
    assertThat(a.resolution().model().spireConfigs()).hasSize(2);
  }

  private static SpireConfig read(RenderedFile f) {
    SpireConfigReader.Result r = new SpireConfigReader().read(f.name(), f.text());
    assertThat(r.problems()).isEmpty();
    return r.config().orElseThrow();
  }
}
