package io.trustmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The index must entitle a caller to exactly what checking every entry would, in the same order. */
class EntryIndexTest {
  static final List<String> SELECTORS = List.of("unix:uid:1000", "unix:uid:1001", "unix:gid:1000", "unix:gid:50",
      "unix:path:/usr/bin/web", "unix:sha256:ab", "unix:pid:7");

  @Test
  void aCallerIsEntitledToExactlyTheEntriesWhoseSelectorsItHasAll() {
    Random random = new Random(14);
    List<Registration> entries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      entries.add(new Registration("e" + i, "spiffe://example.org/w" + i, pick(random, random.nextInt(4)), ""));
    }
    EntryIndex index = new EntryIndex(entries);
    for (int caller = 0; caller < 200; caller++) {
      Set<String> attested = new HashSet<>(pick(random, random.nextInt(SELECTORS.size() + 1)));

      List<Registration> everyEntryChecked = entries.stream().filter(e -> e.matches(attested)).toList();

      assertThat(index.matching(attested)).as("caller with %s", attested).isEqualTo(everyEntryChecked);
    }
  }

  @Test
  void aCallerWithASubsetOfAnEntrysSelectorsGetsNothing() {
    EntryIndex index = new EntryIndex(List.of(
        new Registration("db", "spiffe://example.org/db", List.of("unix:uid:1000", "unix:path:/usr/bin/db"), "")));

    assertThat(index.matching(Set.of("unix:uid:1000"))).isEmpty();
    assertThat(index.matching(Set.of("unix:path:/usr/bin/db"))).isEmpty();
    assertThat(index.matching(Set.of("unix:uid:1000", "unix:path:/usr/bin/db", "unix:gid:1"))).hasSize(1);
  }

  private static List<String> pick(Random random, int n) {
    List<String> all = new ArrayList<>(SELECTORS);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(all.remove(random.nextInt(all.size())));
    }
    return out;
  }
}
