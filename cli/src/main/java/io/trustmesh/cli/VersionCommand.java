package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.verify.PublicSuffixList;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "version", mixinStandardHelpOptions = true,
    description = {
      "Print the trustmesh version, the Java runtime and the active crypto provider.",
      "If the fast Amazon Corretto Crypto Provider could not be used, say why."
    })
final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OutputOption output;

  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("/trustmesh-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    CryptoProviders.Status s = CryptoProviders.install();
    String java = System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version");
    if (output.json()) {
      ObjectNode n = OutputFormat.object();
      n.put("version", version());
      n.put("java", java);
      n.put("crypto_provider", s.active().name().toLowerCase());
      n.put("crypto_provider_version", s.version());
      n.put("crypto_provider_fallback_reason", s.reason().orElse(null));
      n.put("public_suffix_list", PublicSuffixList.loadedFrom().map(Path::toString).orElse(null));
      n.put("public_suffix_list_warning", PublicSuffixList.missingWarning().orElse(null));
      OutputFormat.print(out, n);
      return Main.OK;
    }
    out.println("trustmesh " + version());
    out.println("java:            " + java);
    out.println("crypto provider: " + s.active().displayName() + " (" + s.version() + ")");
    s.reason().ifPresent(r -> out.println("                 fast provider unavailable: " + r));
    out.println("public suffix list: " + PublicSuffixList.loadedFrom().map(Path::toString)
        .orElse("MISSING (" + PublicSuffixList.configuredFile() + ")"));
    PublicSuffixList.missingWarning().ifPresent(w -> spec.commandLine().getErr().println("trustmesh: warning: " + w));
    return Main.OK;
  }

  /** For {@code trustmesh --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"trustmesh " + version()};
    }
  }
}
