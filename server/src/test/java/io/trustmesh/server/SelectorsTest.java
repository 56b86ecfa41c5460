package io.trustmesh.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A selector is accepted only in a form the agent's unix attestor emits, since entries match by equality. */
class SelectorsTest {
  static final String KINDS = "valid kinds: unix:uid:1000, unix:gid:100, unix:pid:4242, unix:path:/usr/bin/app,"
      + " unix:sha256:HEX";

  @ParameterizedTest
  @ValueSource(strings = {"unix:uid:0", "unix:uid:1000", "unix:uid:4294967294", "unix:gid:100", "unix:pid:1",
      "unix:pid:4194304", "unix:path:/usr/bin/java", "unix:path:/opt/app dir/bin/app (deleted)",
      "unix:sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
  void whatTheAttestorEmitsIsAccepted(String selector) {
    assertThat(Selectors.validate(selector)).isEqualTo(selector);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "unix:uid:abc | unix:uid takes a user ID",
      "unix:uid:-1 | unix:uid takes a user ID",
      "unix:uid:4294967295 | unix:uid takes a user ID",  // (uid_t) -1: no process has it
      "unix:uid:01 | unix:uid takes a user ID",          // the agent emits 1, and entries match by equality
      "unix:uid:+1 | unix:uid takes a user ID",
      "unix:uid:99999999999999999999 | unix:uid takes a user ID",
      "unix:gid: 1 | unix:gid takes a group ID",
      "unix:pid:0 | unix:pid takes a process ID",
      "unix:bogus:1 | no attestor produces 'unix:bogus' selectors",
      "k8s:ns:default | no attestor produces 'k8s:ns' selectors",
      "unix:uid | expected TYPE:KEY:VALUE",
      "unix:path:usr/bin/app | unix:path takes an absolute",
      "unix:path:/usr//bin/app | unix:path takes an absolute",
      "unix:path:/usr/bin/../bin/app | unix:path takes an absolute",
      "unix:path:/usr/bin/ | unix:path takes an absolute",
      "unix:path:/ | unix:path takes an absolute",
      "unix:sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 | 64 lowercase hex digits",
      "unix:sha256:e3b0 | 64 lowercase hex digits",
  })
  void aSelectorThatCanNeverMatchIsRefusedNamingTheValueAndTheValidKinds(String selector, String why) {
    assertThatThrownBy(() -> Selectors.validate(selector))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("invalid selector '" + selector + "': ")
        .hasMessageContaining(why)
        .hasMessageEndingWith(KINDS)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix:path:/usr/bin/app\nunix:uid:0", "unix:path:/usr/bin/app\u0000"})
  void controlCharactersInAPathAreRefused(String selector) {
    assertThatThrownBy(() -> Selectors.validate(selector)).isInstanceOf(BadInputException.class);
  }
}
