package io.trustmesh.policy.render;

import io.trustmesh.policy.meshfile.MeshFile;
import java.util.List;

/**
 * {@code trustmesh render}: a mesh file as the configuration of another system. Output is
 * deterministic (the mesh file's order; sorted where the file has maps), one YAML document per
 * object, each with a comment naming the mesh-file line it came from.
 *
 * <pre>{@code
 * List<RenderedFile> files = MeshRenderer.render(MeshFileLoader.load(path), RenderTarget.ISTIO);
 * }</pre>
 */
public final class MeshRenderer {
  private MeshRenderer() {}

  public static List<RenderedFile> render(MeshFile mesh, RenderTarget target) {
    return switch (target) {
      case ISTIO -> IstioRenderer.render(mesh);
      case LINKERD -> LinkerdRenderer.render(mesh);
      case CERT_MANAGER -> CertManagerRenderer.render(mesh);
      case SPIRE -> SpireRenderer.render(mesh);
      case KUBERNETES -> KubernetesRenderer.render(mesh);
    };
  }
}
