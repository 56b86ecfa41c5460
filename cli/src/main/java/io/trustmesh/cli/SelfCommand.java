package io.trustmesh.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to run this very trustmesh again as a child process: the same java, the same class path (the
 * fat jar when started with {@code java -jar}), {@link Main}. {@code up --detach} starts its
 * supervisor this way, and {@code trustmesh-builtin NAME} in a mesh file becomes
 * {@code trustmesh builtin NAME} with small-heap JVM flags (the quick-start programs are tiny).
 */
final class SelfCommand {
  /** The built-in programs serve a few requests a second: a small heap and quick start-up suffice. */
  static final List<String> BUILTIN_JVM = List.of("-Xmx32m", "-Xss512k", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1");
  /** The word a mesh file uses for the programs shipped in the jar. */
  static final String BUILTIN_WORD = "trustmesh-builtin";

  private SelfCommand() {}

  static List<String> java(List<String> jvmOptions, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(jvmOptions);
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(Main.class.getName());
    argv.addAll(List.of(args));
    return argv;
  }

  /** A mesh file's command as argv: {@code trustmesh-builtin NAME ...} runs this jar's built-in program. */
  static List<String> meshCommand(List<String> command) {
    if (command.isEmpty() || !command.get(0).equals(BUILTIN_WORD)) {
      return command;
    }
    List<String> argv = java(BUILTIN_JVM, "builtin");
    argv.addAll(command.subList(1, command.size()));
    return argv;
  }
}
