package io.trustmesh.cli;

import io.trustmesh.api.admin.AdminClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --admin-socket PATH}, shared by the commands that talk to a running server. */
final class AdminSocketOption {
  @Option(names = "--admin-socket", paramLabel = "PATH", defaultValue = AdminClient.DEFAULT_SOCKET,
      description = "The server's admin socket (default: ${DEFAULT-VALUE}).")
  Path adminSocket;

  AdminClient connect() {
    Logging.quietNetty();
    return AdminClient.connect(adminSocket);
  }
}
