package io.trustmesh.mesh.observe;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code trustmesh tap}: a line per connection as the sidecars log it, live. Follows every access
 * log the state names ({@link LogFollower}: rotation, truncation, files that appear later), picks
 * up sidecars added to the state while it runs, and stops on {@link #stop()}, after
 * {@code count} connections, or when its thread is interrupted.
 *
 * <pre>{@code
 * Tap tap = Tap.open(Path.of(".trustmesh"), new Tap.Options(Optional.of("api"), Optional.empty(),
 *     Optional.empty(), OptionalLong.of(10)), Clock.systemUTC());
 * tap.follow(c -> System.out.println(TapReport.line(c)));
 * }</pre>
 */
public final class Tap {
  /** How often the files are looked at; a tap is for people, a quarter second is live enough. */
  static final Duration POLL = Duration.ofMillis(250);

  /**
   * @param to only connections to this service (name) or identity (SPIFFE ID)
   * @param from only connections from this service, identity or address
   * @param since also connections logged this long before the start (default: only new ones)
   * @param count stop after this many connections
   */
  public record Options(Optional<String> to, Optional<String> from, Optional<Duration> since, OptionalLong count) {
    public Options {
      if (count.isPresent() && count.getAsLong() < 1) {
        throw new BadInputException("--count must be at least 1: " + count.getAsLong());
      }
      if (since.isPresent() && since.get().isNegative()) {
        throw new BadInputException("--since must not be negative: " + since.get());
      }
    }
  }

  private final Path stateDir;
  private final Options options;
  private final Instant start;
  private final Map<Path, LogFollower> followers = new HashMap<>();
  private MeshView state;
  private FileTime stateModified;
  private volatile boolean stopped;
  private final Object wake = new Object();

  private Tap(Path stateDir, Options options, MeshView state, Instant start) {
    this.stateDir = stateDir;
    this.options = options;
    this.state = state;
    this.start = start;
  }

  /**
   * Reads the state and checks the filters against it.
   *
   * @throws BadInputException when no mesh runs there or a filter names no service of it
   */
  public static Tap open(Path stateDir, Options options, Clock clock) {
    MeshView state = MeshView.read(stateDir);
    options.to().ifPresent(s -> known(state, "--to", s));
    options.from().filter(s -> !isAddress(s)).ifPresent(s -> known(state, "--from", s));
    Tap tap = new Tap(stateDir, options, state, clock.instant());
    tap.stateModified = modified(stateDir.resolve("state.json"));
    return tap;
  }

  /** A caller outside the mesh is named by its address: an IPv4 or IPv6 literal. */
  private static boolean isAddress(String value) {
    return value.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || value.matches("[0-9a-fA-F:]+") && value.contains(":");
  }

  private static void known(MeshView state, String option, String value) {
    if (value.startsWith("spiffe://") || state.service(value).isPresent()) {
      return;
    }
    throw new BadInputException(option + ": no service named '" + value + "' in this mesh (services: "
        + state.services().stream().map(MeshView.Service::name).sorted().collect(Collectors.joining(", "))
        + "); give a service name or a SPIFFE ID");
  }

  /** Blocks, handing each matching connection to {@code sink}, until stopped; returns how many. */
  public long follow(Consumer<ObservedConnection> sink) {
    long seen = 0;
    boolean first = true;
    try {
      while (!stopped && !Thread.currentThread().isInterrupted()) {
        refreshState();
        LogSources sources = new LogSources(state);
        Resolver resolver = new Resolver(state);
        boolean tailFromEnd = options.since().isEmpty() && first; // files known at the start: only news
        for (Path file : sources.files()) {
          LogFollower f = followers.computeIfAbsent(file, p -> new LogFollower(p, tailFromEnd));
          List<String> lines;
          try {
            lines = f.poll();
          } catch (IOException e) {
            continue; // unreadable for now (permissions, a rotation in progress): try again next round
          }
          for (String line : lines) {
            Optional<AccessRecord> r = AccessRecord.parse(line);
            if (r.isEmpty()) {
              continue;
            }
            Optional<LogSources.Writer> w = sources.writerOf(file, r.get());
            if (w.isEmpty()) {
              continue;
            }
            ObservedConnection c = resolver.resolve(r.get(), w.get().service(), w.get().sidecar());
            if (!matches(c)) {
              continue;
            }
            sink.accept(c);
            seen++;
            if (options.count().isPresent() && seen >= options.count().getAsLong()) {
              return seen;
            }
          }
        }
        first = false;
        synchronized (wake) {
          if (!stopped) {
            wake.wait(POLL.toMillis());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeFollowers();
    }
    return seen;
  }

  /** Ends {@link #follow} from another thread (the signal handler). */
  public void stop() {
    stopped = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private boolean matches(ObservedConnection c) {
    if (options.since().isPresent() && c.time().isBefore(start.minus(options.since().get()))) {
      return false;
    }
    if (options.to().isPresent() && !options.to().get().equals(c.dst()) && !options.to().get().equals(c.serverId())) {
      return false;
    }
    return options.from().isEmpty() || options.from().get().equals(c.src())
        || options.from().get().equals(c.clientId());
  }

  /** A new or rewritten state.json (a restarted mesh, a sidecar added) is read again; a broken one is ignored. */
  private void refreshState() {
    Path file = stateDir.resolve("state.json");
    FileTime now = modified(file);
    if (now == null || now.equals(stateModified)) {
      return;
    }
    try {
      state = MeshView.read(stateDir);
      stateModified = now;
    } catch (BadInputException | UncheckedIOException e) {
      // half-written by someone else or removed by down: keep following what we know
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
  }

  private void closeFollowers() {
    for (LogFollower f : followers.values()) {
      try {
        f.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    followers.clear();
  }
}
