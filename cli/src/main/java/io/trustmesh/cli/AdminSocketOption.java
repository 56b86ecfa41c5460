package io.trustmesh.cli;

import io.trustmesh.api.admin.AdminClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --admin-socket PATH}, shared by the commands that talk to a running server. */
final class AdminSocketOption {
  @Option(names = "--admin-socket", paramLabel = "PATH",
      description = "The server's admin socket (default: " + AdminClient.DEFAULT_SOCKET_HELP + ").")
  Path adminSocket;

  AdminClient connect() {
    Logging.quietNetty();
    return AdminClient.connect(adminSocket != null ? adminSocket : AdminClient.defaultSocket());
  }
}
