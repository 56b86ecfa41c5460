package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.time.Durations;
import java.time.Duration;

/**
 * Whether TLS sessions between sidecars may be resumed, and for how long. Off by default: every
 * connection is then a full handshake (issue 9 item 5).
 *
 * <p>When on (BoringSSL engine only; the JDK fallback never resumes): inbound listeners issue TLS
 * 1.3 tickets (and TLS 1.2 session IDs) and outbound upstreams offer them back. Ticket keys are
 * random per identity snapshot, so every SVID rotation or bundle change retires every ticket; a
 * session is accepted for at most {@code lifetime}. Whatever a session says, the authorize stage
 * checks the peer chain it remembers again, at the current time, against the current bundle and
 * allow policy: a resumed session never admits what a full handshake would refuse now.
 *
 * @param lifetime how long after its full handshake a session may be resumed (1 s to 1 h)
 */
public record Resumption(boolean enabled, Duration lifetime) {
  public static final Resumption OFF = new Resumption(false, Duration.ZERO);
  public static final Duration MAX_LIFETIME = Duration.ofHours(1);

  public Resumption {
    if (enabled && (lifetime == null || lifetime.compareTo(Duration.ofSeconds(1)) < 0
        || lifetime.compareTo(MAX_LIFETIME) > 0)) {
      throw new BadInputException("session resumption lifetime must be between 1s and 1h: " + lifetime);
    }
  }

  public static Resumption enabled(Duration lifetime) {
    return new Resumption(true, lifetime);
  }

  /** On for {@code lifetime}, given by the user as {@code where} (an option or a YAML field): named in the error. */
  public static Resumption enabled(Duration lifetime, String where) {
    try {
      return enabled(lifetime);
    } catch (BadInputException e) {
      throw new BadInputException(where + ": session lifetime must be between 1s and 1h, got "
          + Durations.format(lifetime));
    }
  }
}
