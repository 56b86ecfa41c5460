package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.io.SecretFiles;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.core.x509.CertificateDescription;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ca", mixinStandardHelpOptions = true,
    description = {
      "Create and extend a CA hierarchy (an offline root and name-constrained intermediates).",
      "Each cluster gets its own intermediate, constrained by name constraints to its trust domain(s).",
      "See docs/pki.md for the certificate profiles and why they are what they are."
    },
    subcommands = {CaCommand.Init.class, CaCommand.Intermediate.class})
final class CaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "Create a root CA and its intermediates in a new directory.",
        "Writes DIR/root.pem, DIR/root_key.pem (0600),",
        "  DIR/intermediates/NAME/ca.pem, DIR/intermediates/NAME/ca_key.pem (0600).",
        "Refuses to overwrite a directory that already holds a root.",
        "",
        "Example:",
        "  trustmesh ca init --trust-domain example.org --intermediate cluster-1 --intermediate cluster-2"
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--trust-domain", required = true, paramLabel = "TD",
        description = "Trust domain, e.g. example.org (lowercase letters, digits, '.', '-', '_').")
    TrustDomain trustDomain;

    @Option(names = "--dir", defaultValue = "trustmesh-ca", paramLabel = "DIR",
        description = "Directory to create the CA in (default: ./${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "T",
        description = "Key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096.")
    KeyType keyType;

    @Option(names = "--root-ttl", defaultValue = "3650d", paramLabel = "D",
        description = "Root lifetime, e.g. 3650d (default: ${DEFAULT-VALUE}).")
    Duration rootTtl;

    @Option(names = "--intermediate", paramLabel = "NAME",
        description = "Create an intermediate with this name; repeat for several (default: one named '"
            + CaDirectory.DEFAULT_INTERMEDIATE + "').")
    List<String> intermediates = new ArrayList<>();

    @Option(names = "--intermediate-ttl", defaultValue = "365d", paramLabel = "D",
        description = "Intermediate lifetime (default: ${DEFAULT-VALUE}; never beyond the root's).")
    Duration intermediateTtl;

    @Option(names = "--passphrase-file", paramLabel = "F",
        description = "Encrypt the root key with the passphrase in this file (PBKDF2 + AES-256); the file must"
            + " be readable by its owner only (chmod 600) and the passphrase at least 12 characters.")
    Path passphraseFile;

    @Option(names = "--permit-dns", paramLabel = "SUFFIX",
        description = "Let the intermediate sign DNS names under SUFFIX only (critical permitted dNSName "
            + "subtree), e.g. --permit-dns prod.svc.cluster.local; repeatable. Without it the DNS space is "
            + "unconstrained: the intermediate can sign any DNS name, www.google.com included.")
    List<String> permitDns = new ArrayList<>();

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      Optional<char[]> passphrase = Inputs.passphrase(passphraseFile, SecretFiles.Use.ENCRYPT);
      List<String> names = intermediates.isEmpty() ? List.of(CaDirectory.DEFAULT_INTERMEDIATE) : intermediates;
      CaDirectory ca = CaDirectory.init(dir, trustDomain, keyType, rootTtl, names, intermediateTtl, permitDns,
          passphrase, Clock.systemUTC());
      PrintWriter out = spec.commandLine().getOut();
      X509Certificate root = ca.rootCertificate();
      if (output.json()) {
        ObjectNode n = OutputFormat.object();
        n.put("dir", dir.toString());
        n.put("trust_domain", trustDomain.name());
        n.put("root", dir.resolve("root.pem").toString());
        n.put("root_key", dir.resolve("root_key.pem").toString());
        n.put("root_encrypted", passphrase.isPresent());
        n.put("root_not_after", root.getNotAfter().toInstant().toString());
        n.put("root_sha256", CertificateDescription.fingerprint(root));
        ArrayNode arr = n.putArray("intermediates");
        for (String name : names) {
          arr.add(intermediateJson(ca, name));
        }
        OutputFormat.print(out, n);
        return Main.OK;
      }
      out.println("Created CA for trust domain " + trustDomain + " in " + dir);
      out.println("  root          " + dir.resolve("root.pem") + "  (" + root.getSubjectX500Principal().getName()
          + ", expires " + root.getNotAfter().toInstant() + ")");
      out.println("  root key      " + dir.resolve("root_key.pem") + "  (0600"
          + (passphrase.isPresent() ? ", encrypted" : ", NOT encrypted: consider --passphrase-file") + ")");
      out.println("  root SHA-256  " + CertificateDescription.fingerprint(root));
      for (String name : names) {
        CertificateAuthority inter = ca.intermediate(Optional.of(name));
        out.println("  intermediate  " + dir.resolve("intermediates").resolve(name).resolve("ca.pem")
            + "  (permits " + inter.trustDomains().stream().map(TrustDomain::name).collect(Collectors.joining(", "))
            + ", expires " + inter.certificate().getNotAfter().toInstant() + ")");
      }
      out.println();
      out.println("Keep root_key.pem offline. Issue a workload identity with:");
      out.println("  trustmesh cert issue --ca " + dir + (names.size() > 1 ? " --intermediate " + names.get(0) : "")
          + " --spiffe-id " + trustDomain.idString() + "/ns/default/sa/web --out web-svid");
      return Main.OK;
    }
  }

  static ObjectNode intermediateJson(CaDirectory ca, String name) {
    CertificateAuthority inter = ca.intermediate(Optional.of(name));
    ObjectNode i = OutputFormat.object();
    i.put("name", name);
    i.put("certificate", ca.path().resolve("intermediates").resolve(name).resolve("ca.pem").toString());
    i.put("key", ca.path().resolve("intermediates").resolve(name).resolve("ca_key.pem").toString());
    ArrayNode tds = i.putArray("trust_domains");
    inter.trustDomains().forEach(td -> tds.add(td.name()));
    i.put("path_len", inter.certificate().getBasicConstraints());
    i.put("not_after", inter.certificate().getNotAfter().toInstant().toString());
    i.put("sha256", CertificateDescription.fingerprint(inter.certificate()));
    return i;
  }

  @Command(name = "intermediate", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "Create an intermediate CA signed by the root, constrained to its trust domains.",
        "Give several --trust-domain for a multi-cluster intermediate; by default it gets the root's.",
        "",
        "Example:",
        "  trustmesh ca intermediate --dir trustmesh-ca --name cluster-3 --ttl 180d"
      })
  static final class Intermediate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The CA directory.")
    Path dir;

    @Option(names = "--name", required = true, paramLabel = "NAME",
        description = "Name of the intermediate, e.g. cluster-1.")
    String name;

    @Option(names = "--ttl", defaultValue = "365d", paramLabel = "D",
        description = "Lifetime (default: ${DEFAULT-VALUE}; clamped to the root's expiry).")
    Duration ttl;

    @Option(names = "--path-len", defaultValue = "" + Issuance.DEFAULT_PATH_LEN, paramLabel = "N",
        description = "Path length: 1 (default) leaves room for a CA server's signing CA below it;"
            + " 0 for an intermediate that signs workloads directly.")
    int pathLen;

    @Option(names = "--trust-domain", paramLabel = "TD",
        description = "Trust domain it may sign for; repeat for a multi-cluster intermediate.")
    List<TrustDomain> trustDomains = new ArrayList<>();

    @Option(names = "--passphrase-file", paramLabel = "F",
        description = "Passphrase of the root key, if it is encrypted (a file readable by its owner only).")
    Path passphraseFile;

    @Option(names = "--replace", description = "Replace an existing intermediate of that name (its old key is lost).")
    boolean replace;

    @Option(names = "--permit-dns", paramLabel = "SUFFIX",
        description = "Let the intermediate sign DNS names under SUFFIX only (critical permitted dNSName "
            + "subtree), e.g. --permit-dns prod.svc.cluster.local; repeatable. Without it the DNS space is "
            + "unconstrained: the intermediate can sign any DNS name, www.google.com included.")
    List<String> permitDns = new ArrayList<>();

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      CaDirectory ca = CaDirectory.open(dir);
      if (ca.intermediateNames().contains(name) && !replace) {
        throw new BadInputException("intermediate '" + name + "' already exists in " + dir
            + "; choose another name or pass --replace");
      }
      Optional<char[]> passphrase = Inputs.passphrase(passphraseFile, SecretFiles.Use.DECRYPT);
      IssuedCertificate inter = ca.addIntermediate(name, trustDomains, ttl, pathLen, permitDns, passphrase,
          Clock.systemUTC());
      PrintWriter out = spec.commandLine().getOut();
      if (inter.clamped()) {
        spec.commandLine().getErr().println("trustmesh: warning: requested lifetime " + Durations.format(ttl)
            + " outlives the root; clamped to " + inter.certificate().getNotAfter().toInstant());
      }
      if (output.json()) {
        ObjectNode n = intermediateJson(ca, name);
        n.put("clamped", inter.clamped());
        OutputFormat.print(out, n);
        return Main.OK;
      }
      Path file = dir.resolve("intermediates").resolve(name).resolve("ca.pem");
      out.println("Created intermediate " + name + ": " + file);
      out.println("  permits      " + CertificateAuthority.of(inter.chain(), inter.keyPair().orElseThrow().getPrivate())
          .trustDomains().stream().map(TrustDomain::idString).collect(Collectors.joining(", ")));
      out.println("  path length  " + pathLen);
      out.println("  expires      " + inter.certificate().getNotAfter().toInstant() + " (in "
          + Durations.format(Duration.between(Instant.now(), inter.certificate().getNotAfter().toInstant())) + ")");
      return Main.OK;
    }
  }

}
