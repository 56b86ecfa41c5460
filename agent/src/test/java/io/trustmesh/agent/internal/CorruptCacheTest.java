package io.trustmesh.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.trustmesh.agent.Registration;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A damaged cache file is never silently taken for an empty one: it is moved aside into
 * {@code corrupt/}, a warning names it, and the agent goes on as if it had to fetch it again.
 */
class CorruptCacheTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final ListAppender<ILoggingEvent> log = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(Cache.class);
  Cache cache;
  X509Svid svid;

  @BeforeEach
  void setUp() {
    log.start();
    logger.addAppender(log);
    cache = new Cache(dir, clock);
    IssuedCertificate r = Issuance.root(TrustDomain.parse("example.org")).clock(clock).selfSigned();
    CertificateAuthority ca = CertificateAuthority.of(r.chain(), r.keyPair().orElseThrow().getPrivate());
    IssuedCertificate c = Issuance.workload(SpiffeId.parse("spiffe://example.org/web")).ttl(Duration.ofHours(1))
        .clock(clock).signedBy(ca);
    svid = X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), "test");
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(log);
  }

  List<String> warnings() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  List<Path> setAside() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("corrupt"))) {
      return s.toList();
    }
  }

  @Test
  void aTruncatedEntryListIsSetAsideAndReported() throws Exception {
    cache.saveEntries(List.of(new Registration("e1", "spiffe://example.org/web", List.of("unix:uid:1000"), "")));
    byte[] whole = Files.readAllBytes(dir.resolve("entries.pb"));
    Files.write(dir.resolve("entries.pb"), Arrays.copyOf(whole, whole.length / 2));

    assertThat(cache.entries()).isEmpty();

    assertThat(dir.resolve("entries.pb")).doesNotExist();
    assertThat(setAside()).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).startsWith("entries.pb-"));
    assertThat(warnings()).singleElement().asString()
        .contains("the entry list in " + dir.resolve("entries.pb") + " is corrupt")
        .contains("moved it to " + dir.resolve("corrupt"))
        .contains("fetching the entries from the server again");
  }

  @Test
  void aDamagedWorkloadSvidFileIsSetAsideWithItsKeysStill0600() throws Exception {
    cache.saveWorkloadSvids(Map.of("e1", svid, "e2", svid));
    Path f = dir.resolve(Cache.WORKLOADS_FILE);
    byte[] whole = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(whole, whole.length - 10));

    assertThat(cache.workloadSvids()).isEmpty();

    Path aside = setAside().get(0);
    assertThat(aside.getFileName().toString()).startsWith(Cache.WORKLOADS_FILE + "-");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(aside))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("corrupt"))))
        .isEqualTo("rwx------");
    assertThat(warnings()).singleElement().asString().contains("the workload SVIDs")
        .contains("asking the server for new ones");
  }

  @Test
  void anOlderAgentsPerEntryCacheIsReadUntilTheFirstBatchReplacesIt() {
    cache.saveLegacyWorkloadSvid("e1", svid, svid.chain());

    assertThat(cache.workloadSvids()).containsOnlyKeys("e1");
    cache.saveWorkloadSvids(Map.of("e1", svid, "e2", svid));

    assertThat(dir.resolve("workloads")).doesNotExist();
    assertThat(cache.workloadSvids()).containsOnlyKeys("e1", "e2");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aDamagedAgentSvidSaysAJoinTokenIsNeeded() throws Exception {
    cache.saveAgentSvid(svid, svid.chain());
    Files.writeString(dir.resolve("agent").resolve(X509Svid.KEY_FILE), "garbage");

    assertThat(cache.agentSvid()).isEmpty();

    assertThat(dir.resolve("agent")).doesNotExist();
    assertThat(warnings()).singleElement().asString().contains("the agent SVID").contains("--join-token");
  }

  @Test
  void aDamagedBundleFallsBackToTheConfiguredOne() throws Exception {
    Files.writeString(dir.resolve("bundle.pem"), "not a certificate");

    assertThat(cache.bundle()).isEmpty();

    assertThat(warnings()).singleElement().asString().contains("the trust bundle").contains("--trust-bundle");
  }

  @Test
  void intactFilesAreReadWithoutAWord() {
    cache.saveEntries(List.of(new Registration("e1", "spiffe://example.org/web", List.of("unix:uid:1000"), "h")));
    cache.saveWorkloadSvids(Map.of("e1", svid));
    cache.saveBundle(svid.chain());

    assertThat(cache.entries()).containsExactly(
        new Registration("e1", "spiffe://example.org/web", List.of("unix:uid:1000"), "h"));
    assertThat(cache.workloadSvids()).containsOnlyKeys("e1");
    assertThat(cache.bundle()).isPresent();
    assertThat(warnings()).isEmpty();
    assertThat(dir.resolve("corrupt")).doesNotExist();
  }
}
