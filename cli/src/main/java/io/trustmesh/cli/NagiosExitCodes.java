package io.trustmesh.cli;

/**
 * Marks a command that follows the Nagios plugin convention (0 OK, 1 WARNING, 2 CRITICAL, 3
 * UNKNOWN) instead of the CLI's usual codes: its usage and input errors exit 3, not 2, so that a
 * monitoring system reads a broken check as UNKNOWN rather than CRITICAL.
 */
interface NagiosExitCodes {
  int UNKNOWN = 3;
}
