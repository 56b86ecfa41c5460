package io.trustmesh.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) as an event a long-running command waits for. The JVM's default
 * turns them into shutdown hooks and exit status 143, which service managers read as a failure;
 * handled here, the command stops in its own thread and returns its own exit code (0 after a clean
 * stop). A second signal while stopping interrupts the stopping thread: stop now. A signal that
 * arrives before {@link #started()} ends the process at once with the shell's usual status
 * (128 + the signal number), as the JVM would: nothing is serving yet, and a start that waits (for
 * the agent's first SVID, say) must not delay a stop.
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported way to do this (module jdk.unsupported); javac
 * warns that it is internal.
 */
final class Termination {
  private final CountDownLatch signalled = new CountDownLatch(1);
  private final AtomicInteger signals = new AtomicInteger();
  private final AtomicReference<String> name = new AtomicReference<>();
  private final Thread stopper;
  private boolean running; // guarded by this

  private Termination(Thread stopper) {
    this.stopper = stopper;
  }

  /** Takes over SIGTERM and SIGINT for this process; {@code stopper} is the thread that will stop it. */
  static Termination install(Thread stopper) {
    Termination t = new Termination(stopper);
    for (String sig : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(sig), s -> t.received("SIG" + s.getName(), s.getNumber()));
    }
    return t;
  }

  /** The command is up: from now on a signal means a clean stop through {@link #await()}. */
  synchronized void started() {
    running = true;
  }

  private void received(String signal, int number) {
    boolean up;
    synchronized (this) {
      up = running;
    }
    if (!up) {
      System.exit(128 + number);
    }
    if (signals.incrementAndGet() == 1) {
      name.set(signal);
      signalled.countDown();
    } else {
      stopper.interrupt();
    }
  }

  /** Blocks until the first signal, says so on {@code err}, closes {@code service}; exit code 0. */
  int stopOnSignal(AutoCloseable service, java.io.PrintWriter err) throws Exception {
    try {
      err.println("trustmesh: " + await() + ": stopping");
      return Main.OK;
    } finally {
      service.close();
      err.flush();
    }
  }

  /** Blocks until the first signal; returns its name, e.g. {@code SIGTERM}. */
  String await() throws InterruptedException {
    signalled.await();
    return name.get();
  }
}
