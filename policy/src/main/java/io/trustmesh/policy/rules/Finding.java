package io.trustmesh.policy.rules;

import io.trustmesh.policy.source.SourceLocation;

/** One problem found: the rule, its severity, a one-line message naming the objects, where, and the fix. */
public record Finding(RuleInfo rule, Severity severity, String message, SourceLocation location, String fix) {}
