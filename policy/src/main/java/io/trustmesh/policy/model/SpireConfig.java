package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A SPIRE {@code server.conf} or {@code agent.conf}: the settings of the {@code server} or
 * {@code agent} block (as strings, exactly as written) and the plugins, each with the line it was
 * read from. {@link #role()} says which of the two it is.
 */
public record SpireConfig(
    String file,
    Role role,
    Map<String, String> settings,
    Map<String, SourceLocation> settingLocations,
    List<SpirePlugin> plugins,
    SourceLocation location) {

  public enum Role {
    SERVER,
    AGENT
  }

  public SpireConfig {
    settings = Map.copyOf(settings);
    settingLocations = Map.copyOf(settingLocations);
    plugins = List.copyOf(plugins);
  }

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  public SourceLocation at(String key) {
    return settingLocations.getOrDefault(key, location);
  }

  public List<SpirePlugin> plugins(String type) {
    return plugins.stream().filter(p -> p.type().equals(type)).toList();
  }

  public ObjectRef ref() {
    return new ObjectRef("SPIRE " + (role == Role.SERVER ? "server.conf" : "agent.conf"), "", file, location);
  }
}
