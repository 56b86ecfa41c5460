package io.trustmesh.policy.read;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.trustmesh.core.BadInputException;
import io.trustmesh.policy.model.MeshConfig;
import io.trustmesh.policy.source.Manifest;
import java.io.IOException;
import java.util.Optional;

/**
 * Istio's mesh config, from the {@code istio} ConfigMap ({@code data.mesh}, itself YAML) or an
 * {@code IstioOperator}'s {@code spec.meshConfig}.
 */
final class MeshConfigReader {
  /** A repeated key in {@code data.mesh} is refused like one in the manifest around it. */
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private MeshConfigReader() {}

  static boolean isMeshConfigMap(Manifest m) {
    return m.kind().equals("ConfigMap") && m.name().startsWith("istio") && m.root().path("data").has("mesh");
  }

  static Optional<MeshConfig> fromConfigMap(Manifest m, ModelReader.Problems problems) {
    try {
      JsonNode mesh = YAML.readTree(m.root().path("data").path("mesh").asText(""));
      return Optional.of(of(mesh == null ? YAML.createObjectNode() : mesh, m, "/data/mesh"));
    } catch (JsonParseException e) {
      if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        throw new BadInputException(m.at("/data/mesh") + ": data.mesh of ConfigMap " + m.namespace() + "/" + m.name()
            + ": duplicate key " + e.getOriginalMessage().substring("Duplicate field ".length()));
      }
      problems.invalid(m, "/data/mesh", "data.mesh is not valid YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      return Optional.empty();
    } catch (IOException e) {
      problems.invalid(m, "/data/mesh", "data.mesh is not valid YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      return Optional.empty();
    }
  }

  static MeshConfig fromOperator(Manifest m) {
    return of(m.spec().path("meshConfig"), m, "/spec/meshConfig");
  }

  private static MeshConfig of(JsonNode mesh, Manifest m, String pointer) {
    String root = Fields.text(mesh.path("rootNamespace"));
    String td = Fields.text(mesh.path("trustDomain"));
    return new MeshConfig(mesh.path("enableAutoMtls").asBoolean(true), root.isEmpty() ? m.namespace() : root,
        td.isEmpty() ? "cluster.local" : td, m.at(pointer));
  }
}
