package io.trustmesh.doctor.expiry;

import io.trustmesh.core.BadInputException;
import io.trustmesh.doctor.connect.ConnectRequest;
import io.trustmesh.doctor.connect.ServerChains;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code trustmesh expiry scan}: finds certificates in files, directories (recursively, without
 * following symbolic links out of them), keystores, Kubernetes manifests, kubeconfigs, a trustmesh
 * server's data directory and agent cache, and live endpoints, and judges each against the
 * thresholds. An argument that names an existing path is read as one; otherwise {@code HOST:PORT}
 * is an endpoint.
 */
public final class ExpiryScanner {
  /** Warning and critical thresholds: given ones apply to every certificate, else the per-kind defaults. */
  public record Thresholds(Optional<Threshold> warn, Optional<Threshold> crit) {
    Threshold warnFor(boolean ca) {
      return warn.orElse(ca ? Threshold.CA_WARN : Threshold.LEAF_WARN);
    }

    Threshold critFor(boolean ca) {
      return crit.orElse(ca ? Threshold.CA_CRIT : Threshold.LEAF_CRIT);
    }
  }

  private final Clock clock;
  private final CertificateReader reader;
  private final Duration timeout;

  public ExpiryScanner(Clock clock, Optional<char[]> keystorePassword, Duration timeout) {
    this.clock = clock;
    this.reader = new CertificateReader(keystorePassword);
    this.timeout = timeout;
  }

  public ExpiryReport scan(List<String> inputs, Thresholds thresholds) {
    List<FoundCertificate> found = new ArrayList<>();
    List<ScanError> errors = new ArrayList<>();
    for (String input : inputs) {
      Path p = Path.of(input);
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.exists(p)) {
        scanPath(p, found, errors);
      } else if (input.matches(".+:\\d{1,5}")) {
        scanEndpoint(input, found, errors);
      } else {
        errors.add(new ScanError(input, "no such file or directory, and not HOST:PORT"));
      }
    }
    Instant now = clock.instant();
    List<ScannedCertificate> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (FoundCertificate f : found) {
      X509Certificate c = f.certificate();
      if (!seen.add(f.source().where() + "|" + c.getSerialNumber() + "|" + c.getIssuerX500Principal())) {
        continue; // the same certificate twice in one place (a datastore page and its journal)
      }
      out.add(new ScannedCertificate(f.source(), c, judge(c, thresholds, now), Duration.between(now, c.getNotAfter().toInstant())));
    }
    out.sort((a, b) -> a.left().compareTo(b.left()));
    return new ExpiryReport(out, errors, now);
  }

  static Status judge(X509Certificate c, Thresholds t, Instant now) {
    Instant notBefore = c.getNotBefore().toInstant();
    Instant notAfter = c.getNotAfter().toInstant();
    boolean ca = c.getBasicConstraints() >= 0;
    if (!now.isBefore(notAfter)) {
      return Status.EXPIRED;
    }
    if (t.critFor(ca).crossed(notBefore, notAfter, now)) {
      return Status.CRITICAL;
    }
    if (t.warnFor(ca).crossed(notBefore, notAfter, now) || now.isBefore(notBefore)) {
      return Status.WARNING;
    }
    return Status.OK;
  }

  private void scanPath(Path root, List<FoundCertificate> found, List<ScanError> errors) {
    if (!Files.isDirectory(root)) {
      readFile(root, true, found, errors);
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted()
          .forEach(p -> readFile(p, false, found, errors));
    } catch (IOException | UncheckedIOException e) {
      errors.add(new ScanError(root.toString(), "cannot walk the directory: " + e.getMessage()));
    }
  }

  private void readFile(Path file, boolean named, List<FoundCertificate> found, List<ScanError> errors) {
    try {
      found.addAll(reader.read(file, named));
    } catch (BadInputException e) {
      errors.add(new ScanError(file.toString(), e.getMessage()));
    } catch (IOException e) {
      errors.add(new ScanError(file.toString(), "cannot read: " + e));
    }
  }

  private void scanEndpoint(String input, List<FoundCertificate> found, List<ScanError> errors) {
    try {
      String[] hp = ConnectRequest.splitTarget(input);
      for (X509Certificate c : ServerChains.fetch(hp[0], Integer.parseInt(hp[1]), timeout)) {
        found.add(new FoundCertificate(Source.endpoint(input), c));
      }
    } catch (BadInputException | IllegalStateException e) {
      errors.add(new ScanError(input, e.getMessage()));
    }
  }
}
