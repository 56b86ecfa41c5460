package io.trustmesh.mesh.observe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code tail -F} for one file: complete lines appended since the last poll. Follows the name, not
 * the open file: when the file is renamed away and a new one created (rotation), the rest of the
 * old file is read first, then the new one from its start; when the file shrinks (truncation), it
 * is read again from the start. A partial last line waits for its newline. Lines longer than
 * {@link AccessRecord#MAX_LINE} are dropped, so a hostile writer cannot make the reader hold
 * unbounded memory.
 */
final class LogFollower implements AutoCloseable {
  /** Bytes read per poll at most; the rest waits for the next poll. */
  private static final int MAX_READ = 1 << 20;

  private final Path path;
  private boolean fromEnd;
  private FileChannel channel;
  private Object fileKey;
  private long position;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private boolean discarding;

  /** {@code fromEnd}: skip what the file holds now (live tail); new files are always read whole. */
  LogFollower(Path path, boolean fromEnd) {
    this.path = path;
    this.fromEnd = fromEnd;
  }

  List<String> poll() throws IOException {
    List<String> lines = new ArrayList<>();
    if (channel != null) {
      Object now = currentKey();
      if (!Objects.equals(now, fileKey)) {
        read(lines); // the rotated file's last lines
        closeChannel();
      }
    }
    if (channel == null && !open()) {
      return lines;
    }
    if (channel.size() < position) {
      position = 0; // truncated
      partial.reset();
      discarding = false;
    }
    read(lines);
    return lines;
  }

  private boolean open() throws IOException {
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      fromEnd = false; // a file created later is news from its first line
      return false;
    }
    fileKey = currentKey();
    position = fromEnd ? channel.size() : 0;
    fromEnd = false;
    partial.reset();
    discarding = false;
    return true;
  }

  private Object currentKey() throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void read(List<String> lines) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long budget = MAX_READ;
    while (budget > 0) {
      buf.clear();
      int n = channel.read(buf, position);
      if (n <= 0) {
        return;
      }
      position += n;
      budget -= n;
      byte[] a = buf.array();
      for (int i = 0; i < n; i++) {
        byte b = a[i];
        if (b == '\n') {
          if (!discarding) {
            lines.add(partial.toString(StandardCharsets.UTF_8));
          }
          partial.reset();
          discarding = false;
        } else if (!discarding) {
          partial.write(b);
          if (partial.size() > AccessRecord.MAX_LINE) {
            partial.reset();
            discarding = true;
          }
        }
      }
    }
  }

  private void closeChannel() throws IOException {
    channel.close();
    channel = null;
    fileKey = null;
    position = 0;
    partial.reset();
    discarding = false;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      closeChannel();
    }
  }
}
