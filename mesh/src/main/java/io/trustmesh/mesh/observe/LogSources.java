package io.trustmesh.mesh.observe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The access-log files of a mesh and, for each, the sidecar listeners that write it. Several
 * listeners may share one file (one per service and direction); a line is then attributed by its
 * {@code listener} name, then its direction.
 */
final class LogSources {
  record Writer(MeshView.Service service, MeshView.Sidecar sidecar) {}

  private final Map<Path, List<Writer>> byFile = new LinkedHashMap<>();

  LogSources(MeshView state) {
    for (MeshView.Service s : state.services()) {
      for (MeshView.Sidecar c : s.sidecars()) {
        c.accessLog().ifPresent(p -> byFile.computeIfAbsent(p.toAbsolutePath().normalize(), k -> new ArrayList<>())
            .add(new Writer(s, c)));
      }
    }
  }

  List<Path> files() {
    return List.copyOf(byFile.keySet());
  }

  /** The listener that wrote {@code r} into {@code file}; empty when the line fits none of them. */
  Optional<Writer> writerOf(Path file, AccessRecord r) {
    List<Writer> writers = byFile.getOrDefault(file, List.of());
    if (writers.size() == 1) {
      return Optional.of(writers.get(0));
    }
    Optional<Writer> named = writers.stream()
        .filter(w -> w.sidecar().listener().map(r.listener()::equals).orElse(false)).findFirst();
    if (named.isPresent()) {
      return named;
    }
    List<Writer> sameDirection = writers.stream().filter(w -> w.sidecar().kind().equals(r.direction())).toList();
    if (sameDirection.size() == 1) {
      return Optional.of(sameDirection.get(0));
    }
    // no listener names in the state: a listener named after its port or upstream is the next best clue
    return sameDirection.stream().filter(w -> r.listener().contains(String.valueOf(w.sidecar().port()))
        || w.sidecar().upstream().map(r.listener()::contains).orElse(false)).findFirst()
        .or(() -> sameDirection.stream().findFirst());
  }
}
