package io.trustmesh.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "cert", mixinStandardHelpOptions = true,
    description = {
      "Issue, sign, renew, inspect and verify workload X.509-SVIDs.",
      "Issued files use spiffe-helper's names: svid.pem (leaf then intermediates), svid_key.pem (0600),",
      "svid_bundle.pem (trusted roots)."
    },
    subcommands = {
      CertIssue.class,
      CertSignCsr.class,
      CertRenew.class,
      CertInspect.class,
      CertVerify.class,
    })
final class CertCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
