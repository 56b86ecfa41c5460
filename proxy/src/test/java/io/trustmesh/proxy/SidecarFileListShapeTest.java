package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inbound} and {@code outbound} are lists. A mapping there crashed the loader with a
 * NullPointerException (found by {@link SidecarFileFuzzTest}), and a string was silently read as
 * "no listeners": both are now refused with one line naming the field.
 */
class SidecarFileListShapeTest {
  @TempDir Path dir;

  @Test
  void inboundAsAMappingIsRefusedNamingTheField() throws Exception {
    Path f = Files.writeString(dir.resolve("sidecar.yaml"),
        "identity:\n  svid_dir: svid\ninbound:\n  api:\n    listen: 127.0.0.1:8443\n    target: 127.0.0.1:8080\n");

    assertThatThrownBy(() -> SidecarFile.load(f)).isInstanceOf(BadInputException.class)
        .hasMessage(f + ": inbound: expected a list of listeners (- name: ...), got a mapping");
  }

  @Test
  void outboundAsAStringIsRefusedNotIgnored() throws Exception {
    Path f = Files.writeString(dir.resolve("sidecar.yaml"), "identity:\n  svid_dir: svid\noutbound: payments\n");

    assertThatThrownBy(() -> SidecarFile.load(f)).isInstanceOf(BadInputException.class)
        .hasMessage(f + ": outbound: expected a list of listeners (- name: ...), got a string");
  }
}
