package io.trustmesh.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.pem.Pem;
import io.trustmesh.doctor.expiry.ExpiryReport;
import io.trustmesh.doctor.expiry.ExpiryScanner;
import io.trustmesh.doctor.expiry.ExpiryScanner.Thresholds;
import io.trustmesh.doctor.files.FilesDoctor;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: a certificate (from a hostile server, or planted in a scanned directory) whose subject
 * carries terminal escape sequences, to clear the screen and print a fake "healthy" verdict where
 * an operator reads doctor's report. Doctor prints control characters as {@code \xNN}.
 */
class HostileSubjectTest {
  private static final String ESC = "\u001b";

  @TempDir Path dir;

  @Test
  void escapeSequencesInASubjectNeverReachTheTerminal() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair k = g.generateKeyPair();
    X500Name name = new X500Name("CN=" + ESC + "[2J" + ESC + "[Hhealthy: no problem found");
    Instant now = Instant.now();
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        name, BigInteger.TEN, Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofHours(1))),
        name, k.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
    assertThat(cert.getSubjectX500Principal().getName()).contains(ESC); // the attack survives the encoding
    Path file = dir.resolve("hostile.pem");
    Files.write(file, Pem.encodeCertificates(List.of(cert)));

    DoctorReport files = new FilesDoctor(Clock.systemUTC()).check(file, Optional.empty(), Optional.empty(), Optional.empty());
    assertThat(files.text()).doesNotContain(ESC).contains("\\x1b[Hhealthy");

    ExpiryReport scan = new ExpiryScanner(Clock.systemUTC(), Optional.empty(), Duration.ofSeconds(1))
        .scan(List.of(dir.toString()), new Thresholds(Optional.empty(), Optional.empty()));
    assertThat(scan.certificates()).hasSize(1);
    assertThat(scan.text()).doesNotContain(ESC).contains("\\x1b[Hhealthy");
  }
}
