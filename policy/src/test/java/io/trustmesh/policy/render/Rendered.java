package io.trustmesh.policy.render;

import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshFileLoader;
import io.trustmesh.policy.source.Manifest;
import io.trustmesh.policy.source.ManifestReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: the quick-start mesh, rendered and read back as manifests. */
final class Rendered {
  static final Path QUICKSTART = Path.of(System.getProperty("user.dir")).resolveSibling("examples/quickstart/trustmesh.yaml");

  private Rendered() {}

  static MeshFile quickstart() {
    return MeshFileLoader.load(QUICKSTART);
  }

  static List<RenderedFile> files(RenderTarget target) {
    return MeshRenderer.render(quickstart(), target);
  }

  static List<Manifest> manifests(RenderTarget target) {
    List<Manifest> out = new ArrayList<>();
    for (RenderedFile f : files(target)) {
      if (f.name().endsWith(".yaml")) {
        ManifestReader.Result r = new ManifestReader().read(f.name(), f.text());
        if (!r.problems().isEmpty()) {
          throw new AssertionError(f.name() + ": " + r.problems());
        }
        out.addAll(r.manifests());
      }
    }
    return out;
  }
}
