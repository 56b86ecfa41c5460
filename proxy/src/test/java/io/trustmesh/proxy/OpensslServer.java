package io.trustmesh.proxy;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code openssl s_server -www} on an ephemeral loopback port, serving a {@link Pki#writeForTools} directory. */
record OpensslServer(Process process, int port, Path log) implements AutoCloseable {
  static OpensslServer start(Path certDir, Path tmp, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
        "-cert", certDir.resolve("leaf.pem").toString(), "-cert_chain", certDir.resolve("chain.pem").toString(),
        "-key", certDir.resolve("key.pem").toString(), "-CAfile", certDir.resolve("root.pem").toString()));
    cmd.addAll(Arrays.asList(extra));
    Path log = Files.createTempFile(tmp, "s_server", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Pattern accept = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
      await().atMost(Duration.ofSeconds(10)).until(() -> accept.matcher(Files.readString(log)).find());
      Matcher m = accept.matcher(Files.readString(log));
      m.find();
      return new OpensslServer(p, Integer.parseInt(m.group(1)), log);
    } catch (RuntimeException e) {
      Peers.destroy(p);
      throw e;
    }
  }

  @Override
  public void close() {
    Peers.destroy(process);
  }
}
