package io.trustmesh.mesh.observe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The edges of a running mesh, from its sidecars' access logs: one {@link Edge} per caller, callee,
 * both identities and outcome, with the number of connections. Read afresh on every call; a log
 * that does not exist yet (a sidecar that has served nobody) contributes nothing.
 *
 * <pre>{@code
 * List<Edge> edges = Edges.of(MeshView.read(Path.of(".trustmesh")));
 * }</pre>
 */
public final class Edges {
  private Edges() {}

  public static List<Edge> of(MeshView state) {
    return aggregate(connections(state, true));
  }

  /** Every connection of every log, both vantages, or only those the edge view counts. */
  static List<ObservedConnection> connections(MeshView state, boolean forEdges) {
    LogSources sources = new LogSources(state);
    Resolver resolver = new Resolver(state);
    List<ObservedConnection> out = new ArrayList<>();
    for (Path file : sources.files()) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          Optional<AccessRecord> r = AccessRecord.parse(line);
          if (r.isEmpty()) {
            continue;
          }
          Optional<LogSources.Writer> w = sources.writerOf(file, r.get());
          if (w.isPresent() && (!forEdges || resolver.countsForEdges(r.get(), w.get().sidecar()))) {
            out.add(resolver.resolve(r.get(), w.get().service(), w.get().sidecar()));
          }
        }
      } catch (NoSuchFileException e) {
        // this sidecar has logged nothing yet
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read access log " + file + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  static List<Edge> aggregate(List<ObservedConnection> connections) {
    Map<List<String>, Edge> rows = new LinkedHashMap<>();
    for (ObservedConnection c : connections) {
      List<String> key = List.of(c.src(), c.dst(), c.clientId(), c.serverId(), c.secured());
      Edge e = rows.get(key);
      long bytes = c.bytesFromClient() + c.bytesToClient();
      if (e == null) {
        rows.put(key, new Edge(c.src(), c.dst(), c.srcNamespace(), c.dstNamespace(), c.clientId(), c.serverId(),
            c.secured(), c.category(), 1, bytes, c.time()));
      } else {
        Instant last = c.time().isAfter(e.lastSeen()) ? c.time() : e.lastSeen();
        rows.put(key, new Edge(e.src(), e.dst(), e.srcNamespace(), e.dstNamespace(), e.clientId(), e.serverId(),
            e.secured(), e.category(), e.connections() + 1, e.bytes() + bytes, last));
      }
    }
    List<Edge> out = new ArrayList<>(rows.values());
    out.sort(Comparator.comparing(Edge::src).thenComparing(Edge::dst).thenComparing(Edge::secured));
    return out;
  }
}
