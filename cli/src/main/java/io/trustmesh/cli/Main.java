package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.CryptoProviders;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The {@code trustmesh} entry point: the only place that parses argv and calls {@code System.exit}.
 *
 * <p>Exit codes: 0 success; 1 a check failed (for example {@code cert verify} refused the chain)
 * or an internal error; 2 a usage or input error, reported as one line without a stack trace
 * unless {@code --debug} is given.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int BAD_INPUT = 2;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line and returns its exit code; used by {@link #main} and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    boolean debug = Arrays.asList(args).contains("--debug");
    if (!isProxy(args)) { // the sidecar decides for itself (SidecarRunner.installCryptoProvider)
      CryptoProviders.install();
    }
    CommandLine cl = commandLine(args);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, argv) -> {
      String where = ex.getCommandLine().getCommandSpec().qualifiedName();
      err.println("trustmesh: " + oneLine(ex.getMessage()) + " (see '" + where + " --help')");
      if (debug) {
        ex.printStackTrace(err);
      }
      err.flush();
      return usageExitCode(ex.getCommandLine());
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      int code;
      if (ex instanceof BadInputException || ex instanceof UncheckedIOException) {
        err.println("trustmesh: " + oneLine(ex.getMessage()));
        code = usageExitCode(commandLine);
      } else {
        err.println("trustmesh: internal error: " + oneLine(String.valueOf(ex.getMessage()))
            + (debug ? "" : " (run with --debug for details)"));
        code = commandLine.getCommand() instanceof NagiosExitCodes ? NagiosExitCodes.UNKNOWN : FAILED;
      }
      if (debug) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** 2, or 3 for a command that speaks the Nagios plugin convention ({@link NagiosExitCodes}). */
  private static int usageExitCode(CommandLine cl) {
    return cl.getCommand() instanceof NagiosExitCodes ? NagiosExitCodes.UNKNOWN : BAD_INPUT;
  }

  /** The whole command tree: {@code trustmesh --help} and every command but {@code proxy}. */
  static CommandLine commandLine() {
    return configure(new CommandLine(new TrustmeshCommand()));
  }

  /** The tree that parses {@code args}: for {@code trustmesh [--debug] proxy ...}, only the proxy commands. */
  static CommandLine commandLine(String[] args) {
    return isProxy(args) ? configure(new CommandLine(new ProxyOnlyRoot())) : commandLine();
  }

  private static boolean isProxy(String[] args) {
    int i = 0;
    while (i < args.length && args[i].equals("--debug")) {
      i++;
    }
    return i < args.length && args[i].equals("proxy");
  }

  private static CommandLine configure(CommandLine cl) {
    Converters.register(cl);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUsageHelpWidth(120); // examples in the help are long command lines; never wrap them mid-word
    cl.setUsageHelpLongOptionsMaxWidth(32);
    headings(cl);
    return cl;
  }

  /** A blank line and a title before each list, on every command. */
  private static void headings(CommandLine cl) {
    cl.getCommandSpec().usageMessage().optionListHeading("%nOptions:%n").parameterListHeading("%nArguments:%n")
        .commandListHeading("%nCommands:%n");
    cl.getSubcommands().values().forEach(Main::headings);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
