package io.trustmesh.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}, as a mixin. */
final class OutputOption {
  @Option(names = "--output", defaultValue = "text", paramLabel = "text|json",
      description = "Output format: text for people, json for machines (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  boolean json() {
    return format == OutputFormat.json;
  }
}
