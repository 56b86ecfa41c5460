package io.trustmesh.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The entries of one snapshot indexed by their first selector, so that finding the entries a
 * caller is entitled to looks only at entries that can match: an entry whose first selector the
 * caller lacks cannot match. With a thousand entries and a thousand streams, scanning every entry
 * for every stream after each renewal was most of the agent's fan-out CPU.
 *
 * <pre>{@code
 * EntryIndex index = new EntryIndex(snapshot.entries());
 * List<Registration> mine = index.matching(Set.of("unix:uid:1000", "unix:gid:1000"));
 * }</pre>
 */
final class EntryIndex {
  private final List<Registration> entries;
  /** Positions in {@link #entries}, by each entry's first selector. */
  private final Map<String, List<Integer>> byFirstSelector = new HashMap<>();
  /** Entries without selectors: every caller matches them. */
  private final List<Integer> unconditional = new ArrayList<>();

  EntryIndex(List<Registration> entries) {
    this.entries = entries;
    for (int i = 0; i < entries.size(); i++) {
      List<String> selectors = entries.get(i).selectors();
      if (selectors.isEmpty()) {
        unconditional.add(i);
      } else {
        byFirstSelector.computeIfAbsent(selectors.get(0), s -> new ArrayList<>()).add(i);
      }
    }
  }

  List<Registration> entries() {
    return entries;
  }

  /** The entries whose selectors are all among {@code attested}, in the snapshot's order. */
  List<Registration> matching(Set<String> attested) {
    TreeSet<Integer> candidates = new TreeSet<>(unconditional);
    for (String s : attested) {
      List<Integer> at = byFirstSelector.get(s);
      if (at != null) {
        candidates.addAll(at);
      }
    }
    List<Registration> out = new ArrayList<>();
    for (int i : candidates) {
      Registration e = entries.get(i);
      if (e.matches(attested)) {
        out.add(e);
      }
    }
    return out;
  }
}
