import com.sun.management.OperatingSystemMXBean;
import io.trustmesh.core.ca.Csrs;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.Issuer;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Workload SVIDs issued per second on one thread, from CSRs: CSR signature check, policy check,
 * signing with the active signing CA, and (optionally) the issuance record persisted in SQLite,
 * one transaction per batch. Side by side, in the same rounds, the crypto floor: one P-256
 * verification plus one P-256 signature with the same provider, so that a slow round (a busy host)
 * shows in both and the ratio stays meaningful. Not part of CI; run bench/ca-issuance/run.sh.
 *
 * <p>Arguments: seconds per measurement (default 5), rounds (default 3).
 */
public final class CaIssuanceBench {
  public static void main(String[] args) throws Exception {
    System.out.println("crypto provider: " + CryptoProviders.install());
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
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
      Map<String, IntSupplier> scenarios = new LinkedHashMap<>();
      scenarios.put("crypto floor (P-256 verify + sign)", cryptoFloor());
      scenarios.put("without persistence, batches of 100",
          issuing(Issuer.create(ca, NoPersistence.discardingIssued(store), Clock.systemUTC()), csrs, id, 100));
      scenarios.put("with SQLite persistence, batches of 100",
          issuing(Issuer.create(ca, store, Clock.systemUTC()), csrs, id, 100));
      scenarios.put("with SQLite persistence, one per transaction",
          issuing(Issuer.create(ca, store, Clock.systemUTC()), csrs, id, 1));

      System.out.printf("warm-up: %d s per scenario%n", seconds);
      for (IntSupplier s : scenarios.values()) {
        measure(s, seconds);
      }
      Map<String, double[]> results = new LinkedHashMap<>();
      Map<String, double[]> cpu = new LinkedHashMap<>();
      scenarios.keySet().forEach(k -> results.put(k, new double[rounds]));
      scenarios.keySet().forEach(k -> cpu.put(k, new double[rounds]));
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, IntSupplier> s : scenarios.entrySet()) {
          double rate = measure(s.getValue(), seconds);
          results.get(s.getKey())[r] = rate;
          cpu.get(s.getKey())[r] = lastCpuMicrosPerSvid;
          System.out.printf("round %d  %-46s %8.0f /s  %6.1f us CPU per SVID  (load %s)%n", r + 1, s.getKey(), rate,
              lastCpuMicrosPerSvid, Files.readString(Path.of("/proc/loadavg")).trim());
        }
      }
      double floor = median(results.values().iterator().next());
      System.out.printf("%nmedians of %d rounds of %d s, one core:%n", rounds, seconds);
      for (Map.Entry<String, double[]> e : results.entrySet()) {
        double m = median(e.getValue());
        System.out.printf("%-46s %8.0f /s  (%.2f of the crypto floor; rounds %s)%n", e.getKey(), m, m / floor,
            Arrays.toString(Arrays.stream(e.getValue()).mapToLong(Math::round).toArray()));
      }
      double floorCpu = median(cpu.values().iterator().next());
      System.out.printf("%nCPU per SVID (this process, all threads), medians:%n");
      for (Map.Entry<String, double[]> e : cpu.entrySet()) {
        double m = median(e.getValue());
        System.out.printf("%-46s %6.1f us  (the floor's CPU is %.2f of it)%n", e.getKey(), m, floorCpu / m);
      }
      System.out.println("records in the datastore: " + store.countIssued());
    }
  }

  /** One verification of a CSR-sized message and one signature, with the default provider: the least any CA must do. */
  static IntSupplier cryptoFloor() throws Exception {
    KeyPair ca = KeyType.DEFAULT.generate();
    KeyPair workload = KeyType.DEFAULT.generate();
    byte[] csrInfo = new byte[200];
    byte[] tbs = new byte[480];
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(workload.getPrivate());
    signer.update(csrInfo);
    byte[] csrSignature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    Signature caSigner = Signature.getInstance("SHA256withECDSA");
    caSigner.initSign(ca.getPrivate());
    return () -> {
      try {
        for (int i = 0; i < 100; i++) {
          verifier.initVerify(workload.getPublic());
          verifier.update(csrInfo);
          if (!verifier.verify(csrSignature)) {
            throw new IllegalStateException("floor: signature does not verify");
          }
          tbs[i % tbs.length]++;
          caSigner.update(tbs);
          caSigner.sign();
        }
        return 100;
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  static IntSupplier issuing(Issuer issuer, List<byte[]> csrs, SpiffeId id, int batch) {
    List<List<Issuer.Request>> batches = new ArrayList<>();
    for (int i = 0; i + batch <= csrs.size(); i += batch) {
      List<Issuer.Request> b = new ArrayList<>();
      for (int j = i; j < i + batch; j++) {
        b.add(new Issuer.Request(csrs.get(j), id, Duration.ofHours(1), List.of()));
      }
      batches.add(b);
    }
    int[] k = {0};
    return () -> issuer.sign(batches.get(k[0]++ % batches.size()), "bench").size();
  }

  /** CPU microseconds of this process per SVID in the last {@link #measure} (all its threads). */
  static volatile double lastCpuMicrosPerSvid;

  static double measure(IntSupplier work, int seconds) {
    long done = 0;
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      done += work.getAsInt();
    }
    lastCpuMicrosPerSvid = (processCpuNanos() - cpu) / 1e3 / Math.max(1, done);
    return done / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * CPU time of this process: on a busy host it says what issuance costs better than the rate does
   * (waiting for a core or for an fsync is not CPU). It includes the issuance log's writer thread.
   */
  static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
