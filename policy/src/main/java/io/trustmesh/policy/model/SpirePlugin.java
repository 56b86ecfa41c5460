package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;
import java.util.Map;

/** A {@code plugins { Type "name" { plugin_data { ... } } }} entry of a SPIRE configuration. */
public record SpirePlugin(String type, String name, Map<String, Object> data, SourceLocation location) {
  public SpirePlugin {
    data = Map.copyOf(data);
  }

  public String dataString(String key) {
    Object v = data.get(key);
    return v == null ? "" : String.valueOf(v);
  }
}
