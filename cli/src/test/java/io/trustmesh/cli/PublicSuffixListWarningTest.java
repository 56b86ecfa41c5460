package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 15: a missing Public Suffix List silently weakened wildcard checks ({@code *.co.uk}
 * passed). {@code trustmesh version} now names the list it reads, and warns loudly when there is none.
 */
class PublicSuffixListWarningTest {
  static final String PROPERTY = "trustmesh.publicSuffixList";
  @TempDir Path tmp;

  @AfterEach
  void restore() {
    System.clearProperty(PROPERTY);
  }

  @Test
  void versionWarnsWhenTheListIsMissing() throws Exception {
    Path missing = tmp.resolve("no-such-list.dat");
    System.setProperty(PROPERTY, missing.toString());

    Cli.Result text = Cli.run("version");
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).contains("public suffix list: MISSING (" + missing + ")");
    assertThat(text.err()).contains("trustmesh: warning: Public Suffix List " + missing + " is missing")
        .contains("*.co.uk is accepted");

    JsonNode n = new ObjectMapper().readTree(Cli.run("version", "--output", "json").out());
    assertThat(n.get("public_suffix_list").isNull()).isTrue();
    assertThat(n.get("public_suffix_list_warning").asText()).contains("missing or unreadable");
  }

  @Test
  void versionNamesTheListWhenItIsThere() throws Exception {
    Path list = Files.writeString(tmp.resolve("psl.dat"), "// test list\ncom\nco.uk\n");
    System.setProperty(PROPERTY, list.toString());

    Cli.Result text = Cli.run("version");
    assertThat(text.out()).contains("public suffix list: " + list);
    assertThat(text.err()).doesNotContain("Public Suffix List");
  }
}
