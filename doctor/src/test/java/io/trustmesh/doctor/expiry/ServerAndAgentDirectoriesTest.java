package io.trustmesh.doctor.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.doctor.TestPki;
import io.trustmesh.doctor.expiry.ExpiryScanner.Thresholds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trustmesh server's data directory keeps its signing CAs as PEM in the SQLite datastore
 * ({@code signing_cas.chain_pem}); an agent's cache keeps its own SVID as files. expiry scan finds
 * both without a database driver of its own.
 */
class ServerAndAgentDirectoriesTest {
  @TempDir Path dir;

  @Test
  void signingCaInTheDatastoreAndAgentSvidInTheCache() throws Exception {
    TestPki pki = new TestPki("example.org", dir);
    Path data = dir.resolve("server-data");
    Files.createDirectories(data.resolve("keys"));
    Files.writeString(data.resolve("keys/ca-1.key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("datastore.sqlite3"));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE signing_cas (id VARCHAR(64) PRIMARY KEY, chain_pem TEXT NOT NULL, key_id VARCHAR(128) NOT NULL,"
          + " not_after BIGINT NOT NULL, created_at BIGINT NOT NULL, activated_at BIGINT)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO signing_cas VALUES ('ca-1', ?, 'k', 0, 0, 0)")) {
        p.setString(1, new String(Pem.encodeCertificates(pki.intermediate.chain()), StandardCharsets.US_ASCII));
        p.executeUpdate();
      }
    }
    Path cache = dir.resolve("agent-cache");
    IssuedCertificate agent = pki.workload("/spire/agent/join/node-1");
    pki.svidDir("agent-cache/agent", agent);

    ExpiryReport r = new ExpiryScanner(Clock.systemUTC(), Optional.empty(), Duration.ofSeconds(1))
        .scan(List.of(data.toString(), cache.toString()), new Thresholds(Optional.empty(), Optional.empty()));

    assertThat(r.errors()).isEmpty();
    assertThat(r.certificates()).anySatisfy(c -> {
      assertThat(c.source().where()).endsWith("datastore.sqlite3");
      assertThat(c.certificate()).isEqualTo(pki.intermediate.certificate());
      assertThat(c.status()).isEqualTo(Status.OK);
    });
    assertThat(r.certificates()).anySatisfy(c -> {
      assertThat(c.source().where()).endsWith("agent/svid.pem");
      assertThat(c.who()).isEqualTo("spiffe://example.org/spire/agent/join/node-1");
    });
    assertThat(r.exitCode()).isZero();
  }
}
