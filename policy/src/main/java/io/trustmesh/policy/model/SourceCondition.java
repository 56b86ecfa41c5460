package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;
import java.util.List;
import java.util.Locale;

/**
 * A condition of an AuthorizationPolicy that can only be evaluated on an authenticated peer:
 * {@code from.source.principals}, {@code from.source.namespaces} (and their {@code not} forms), or
 * a {@code when} on {@code source.principal} / {@code source.namespace}.
 */
public record SourceCondition(String field, List<String> values, SourceLocation location) {
  public SourceCondition {
    values = List.copyOf(values);
  }

  public boolean namesPrincipals() {
    return field.toLowerCase(Locale.ROOT).contains("principal");
  }
}
