package io.trustmesh.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "proxy", mixinStandardHelpOptions = true,
    description = {
      "The sidecar data plane: terminate mutual TLS in front of a local app (inbound), originate it "
          + "for a local app that speaks plaintext (outbound), or run several listeners from a YAML "
          + "file (run). TLS runs on BoringSSL (netty-tcnative) with epoll; the JDK engine is a "
          + "reported fallback.",
      "",
      "Example:",
      "  trustmesh proxy inbound --listen 127.0.0.1:8443 \\",
      "      --target 127.0.0.1:8080 --svid-dir svid \\",
      "      --allow-id spiffe://example.org/ns/prod/sa/frontend"
    },
    subcommands = {ProxyInbound.class, ProxyOutbound.class, ProxyRun.class},
    footer = {"", "Docs: docs/proxy.md, docs/migrate-permissive-to-strict.md."})
final class ProxyCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
