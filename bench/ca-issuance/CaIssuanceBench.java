import io.trustmesh.api.grpc.Csrs;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.Issuer;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Workload SVIDs issued per second on one thread, from CSRs: CSR signature check, policy check,
 * signing with the active signing CA, and (optionally) the issuance record persisted in SQLite,
 * one transaction per batch. Not part of CI; run bench/ca-issuance/run.sh.
 */
public final class CaIssuanceBench {
  public static void main(String[] args) throws Exception {
    System.out.println("crypto provider: " + CryptoProviders.install());
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("trustmesh-bench");
    TrustDomain td = TrustDomain.parse("example.org");
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority ca = new SigningAuthority(td, Upstream.selfSignedRoots(), Duration.ofHours(168),
          Duration.ofHours(28), new MemoryKeyManager(), store, Clock.systemUTC());
      ca.rotate();
      List<byte[]> csrs = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        csrs.add(Csrs.create(KeyType.DEFAULT.generate()));
      }
      SpiffeId id = td.newSpiffeId("ns", "bench", "sa", "web");
      run("without persistence, batches of 100", Issuer.create(ca, store, Clock.systemUTC(), false), csrs, id, 100, seconds);
      run("without persistence, batches of 100 (again)", Issuer.create(ca, store, Clock.systemUTC(), false), csrs, id, 100, seconds);
      run("with SQLite persistence, batches of 100", Issuer.create(ca, store, Clock.systemUTC(), true), csrs, id, 100, seconds);
      run("with SQLite persistence, one per transaction", Issuer.create(ca, store, Clock.systemUTC(), true), csrs, id, 1, seconds);
      System.out.println("records in the datastore: " + store.countIssued());
    }
  }

  static void run(String name, Issuer issuer, List<byte[]> csrs, SpiffeId id, int batch, int seconds) {
    List<List<Issuer.Request>> batches = new ArrayList<>();
    for (int i = 0; i + batch <= csrs.size(); i += batch) {
      List<Issuer.Request> b = new ArrayList<>();
      for (int j = i; j < i + batch; j++) {
        b.add(new Issuer.Request(csrs.get(j), id, Duration.ofHours(1), List.of()));
      }
      batches.add(b);
    }
    // Warm-up: let the JIT compile the hot paths.
    long warmEnd = System.nanoTime() + 5_000_000_000L;
    int k = 0;
    while (System.nanoTime() < warmEnd) {
      issuer.sign(batches.get(k++ % batches.size()), "bench");
    }
    long issued = 0;
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      issued += issuer.sign(batches.get(k++ % batches.size()), "bench").size();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("%-48s %8.0f SVIDs/s (%d in %.1fs)%n", name, issued / secs, issued, secs);
  }
}
