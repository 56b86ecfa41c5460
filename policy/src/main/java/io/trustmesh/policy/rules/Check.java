package io.trustmesh.policy.rules;

import io.trustmesh.policy.resolve.Resolution;

/** A small group of related rules that read the resolution and report findings. */
interface Check {
  void run(Resolution r, Findings out);
}
