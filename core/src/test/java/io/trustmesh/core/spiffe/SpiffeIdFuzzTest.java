package io.trustmesh.core.spiffe;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * SPIFFE IDs arrive from certificates' URI SANs, JWT {@code sub} claims, CLI flags and YAML. Parsing
 * either refuses with {@link InvalidSpiffeIdException} or yields an ID that obeys the spec: it
 * prints back to exactly the input, re-parses to itself, and has no empty, {@code .} or {@code ..}
 * segment. Regression inputs: {@code src/test/resources/io/trustmesh/core/spiffe/SpiffeIdFuzzTestInputs/}.
 */
class SpiffeIdFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parse(byte[] data) {
    String raw = new String(data, StandardCharsets.UTF_8);
    SpiffeId id;
    try {
      id = SpiffeId.parse(raw);
    } catch (InvalidSpiffeIdException refused) {
      return;
    }
    check(id.toString().equals(raw), "does not print back as its input", raw);
    check(SpiffeId.parse(id.toString()).equals(id), "does not re-parse to itself", raw);
    check(raw.length() <= SpiffeId.MAX_LENGTH, "is longer than the spec allows", raw);
    TrustDomain td = id.trustDomain();
    check(td.name().equals(td.name().toLowerCase(java.util.Locale.ROOT)), "has an upper-case trust domain", raw);
    check(id.memberOf(td), "is not a member of its own trust domain", raw);
    check(td.newSpiffeId(id.segments().toArray(new String[0])).equals(id), "segments do not rebuild it", raw);
    for (String s : id.segments()) {
      check(!s.isEmpty() && !s.equals(".") && !s.equals(".."), "has a forbidden path segment '" + s + "'", raw);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void trustDomain(byte[] data) {
    String raw = new String(data, StandardCharsets.UTF_8);
    TrustDomain td;
    try {
      td = TrustDomain.parse(raw);
    } catch (InvalidSpiffeIdException refused) {
      return;
    }
    check(TrustDomain.parse(td.idString()).equals(td), "does not re-parse from its ID", raw);
    check(td.name().length() <= TrustDomain.MAX_LENGTH, "is longer than the spec allows", raw);
    check(td.name().chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
        || c == '_'), "has a character outside [a-z0-9.-_]", raw);
  }

  private static void check(boolean ok, String what, String raw) {
    if (!ok) {
      throw new AssertionError("SPIFFE ID parser accepted '" + raw + "', which " + what);
    }
  }
}
