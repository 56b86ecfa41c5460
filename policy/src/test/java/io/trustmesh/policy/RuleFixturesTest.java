package io.trustmesh.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.RuleCatalog;
import io.trustmesh.policy.rules.RuleInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule has a failing and a passing fixture under {@code rules/ID/}: {@code fail.yaml} and
 * {@code pass.yaml}, or {@code fail/} and {@code pass/} directories for SPIRE's HCL files. The
 * failing one must produce the rule with a file and line; the passing one must not produce it.
 */
class RuleFixturesTest {
  private static final AnalysisOptions OPTIONS = AnalysisOptions.defaults().withProduction(List.of("prod-*"));

  static Stream<String> rules() {
    return RuleCatalog.ALL.stream().map(RuleInfo::id);
  }

  private static String fixture(String id, String kind) {
    Path dir = Fixtures.resource("rules/" + id);
    return Files.exists(dir.resolve(kind + ".yaml")) ? "rules/" + id + "/" + kind + ".yaml" : "rules/" + id + "/" + kind;
  }

  @ParameterizedTest(name = "{0} fails on its failing fixture")
  @MethodSource("rules")
  void failingFixtureProducesTheRule(String id) {
    Analysis a = Fixtures.analyzeResources(OPTIONS, fixture(id, "fail"));
    List<Finding> found = Fixtures.findings(a, id);
    assertThat(found).as("findings of %s in %s", id, Fixtures.ruleIds(a)).isNotEmpty();
    for (Finding f : found) {
      assertThat(f.location().file()).contains("rules/" + id);
      assertThat(f.location().line()).as("line of %s", f.message()).isPositive();
      assertThat(f.message()).isNotBlank();
      assertThat(f.fix()).isNotBlank();
    }
  }

  @ParameterizedTest(name = "{0} is silent on its passing fixture")
  @MethodSource("rules")
  void passingFixtureDoesNotProduceTheRule(String id) {
    Analysis a = Fixtures.analyzeResources(OPTIONS, fixture(id, "pass"));
    assertThat(Fixtures.findings(a, id)).isEmpty();
  }

  @ParameterizedTest(name = "{0} has a section in docs/policy-rules.md")
  @MethodSource("rules")
  void everyRuleIsDocumented(String id) throws Exception {
    Path docs = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("policy-rules.md");
    assertThat(Files.readString(docs)).contains("## " + id + " ");
  }
}
