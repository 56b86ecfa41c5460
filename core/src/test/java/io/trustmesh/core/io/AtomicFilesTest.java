package io.trustmesh.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.io.AtomicFiles.Content;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void secretsAreWrittenWithMode0600AndOthers0644() throws Exception {
    Map<Path, Content> files = new LinkedHashMap<>();
    files.put(dir.resolve("cert.pem"), Content.open(bytes("cert")));
    files.put(dir.resolve("key.pem"), Content.secret(bytes("key")));
    AtomicFiles.writeAll(files);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("key.pem")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cert.pem")))).isEqualTo("rw-r--r--");
    assertThat(Files.readString(dir.resolve("key.pem"))).isEqualTo("key");
    assertThat(listing()).containsExactlyInAnyOrder("cert.pem", "key.pem");
  }

  @Test
  void replacingAWorldReadableFileLeavesTheSecretAt0600() throws Exception {
    Path key = Files.writeString(dir.resolve("key.pem"), "old");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
    AtomicFiles.write(key, bytes("new"), true);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertThat(Files.readString(key)).isEqualTo("new");
  }

  @Test
  void aFailedSetLeavesThePreviousFilesAndNoTemporaries() throws Exception {
    Files.writeString(dir.resolve("a.pem"), "old-a");
    Files.createDirectories(dir.resolve("b.pem")); // a directory where a file must go: the rename fails
    Files.writeString(dir.resolve("b.pem").resolve("occupied"), "x");
    Map<Path, Content> files = new LinkedHashMap<>();
    files.put(dir.resolve("a.pem"), Content.open(bytes("new-a")));
    files.put(dir.resolve("b.pem"), Content.open(bytes("new-b")));

    assertThatThrownBy(() -> AtomicFiles.writeAll(files)).isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(listing()).containsExactlyInAnyOrder("a.pem", "b.pem");
  }

  private Stream<String> names() throws Exception {
    return Files.list(dir).map(p -> p.getFileName().toString());
  }

  private java.util.List<String> listing() throws Exception {
    try (Stream<String> s = names()) {
      return s.toList();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
