package io.trustmesh.mesh.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tail -F} semantics of the follower behind {@code tap}, over the ways log files change. */
class LogFollowerTest {
  @TempDir Path dir;

  @Test
  void aLiveTailSkipsHistoryAndWaitsForTheNewlineOfAPartialLine() throws IOException {
    Path log = dir.resolve("a.jsonl");
    append(log, "old\n");
    try (LogFollower f = new LogFollower(log, true)) {
      assertThat(f.poll()).isEmpty();
      append(log, "one\ntw");
      assertThat(f.poll()).containsExactly("one");
      append(log, "o\n");
      assertThat(f.poll()).containsExactly("two");
    }
  }

  @Test
  void truncationInPlaceIsReadAgainFromTheStart() throws IOException {
    // logrotate copytruncate: what works with a writer that keeps its file open, like the sidecar
    Path log = dir.resolve("a.jsonl");
    try (LogFollower f = new LogFollower(log, true)) {
      assertThat(f.poll()).isEmpty(); // the tap starts
      append(log, "first line before rotation\n");
      assertThat(f.poll()).containsExactly("first line before rotation");
      Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
      append(log, "after\n");
      assertThat(f.poll()).containsExactly("after");
    }
  }

  @Test
  void aRenamedFileIsFinishedThenTheNewOneReadFromItsStart() throws IOException {
    Path log = dir.resolve("a.jsonl");
    append(log, "");
    try (LogFollower f = new LogFollower(log, true)) {
      assertThat(f.poll()).isEmpty(); // the tap starts
      append(log, "one\n");
      assertThat(f.poll()).containsExactly("one");
      append(log, "last of the old file\n");
      Files.move(log, dir.resolve("a.jsonl.1"));
      append(log, "first of the new file\n");
      assertThat(f.poll()).containsExactly("last of the old file", "first of the new file");
    }
  }

  @Test
  void aFileThatAppearsLaterIsReadWhole() throws IOException {
    Path log = dir.resolve("later.jsonl");
    try (LogFollower f = new LogFollower(log, true)) {
      assertThat(f.poll()).isEmpty();
      append(log, "written before the next poll\n");
      assertThat(f.poll()).containsExactly("written before the next poll");
    }
  }

  @Test
  void anOverlongLineIsDroppedAndTheNextOneRead() throws IOException {
    Path log = dir.resolve("a.jsonl");
    try (LogFollower f = new LogFollower(log, false)) {
      append(log, "x".repeat(AccessRecord.MAX_LINE + 10));
      assertThat(f.poll()).isEmpty();
      append(log, "x".repeat(AccessRecord.MAX_LINE) + "\nnext\n");
      assertThat(f.poll()).containsExactly("next");
    }
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
