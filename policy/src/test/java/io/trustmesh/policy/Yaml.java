package io.trustmesh.policy;

/** Builders for the small manifests the precedence and rule tests need. */
final class Yaml {
  private Yaml() {}

  static String namespace(String name, String labels) {
    return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  labels: {" + labels + "}\n---\n";
  }

  static String deployment(String ns, String name, String labels, int... ports) {
    StringBuilder sb = new StringBuilder("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name
        + "\n  namespace: " + ns + "\nspec:\n  template:\n    metadata:\n      labels: {app: " + name
        + (labels.isEmpty() ? "" : ", " + labels) + "}\n    spec:\n      containers:\n        - name: c\n          ports:\n");
    for (int p : ports) {
      sb.append("            - containerPort: ").append(p).append('\n');
    }
    return sb.append("---\n").toString();
  }

  static String pa(String ns, String name, String selector, String mode, String extra) {
    return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: " + name + "\n  namespace: " + ns
        + "\n" + extra + "spec:\n" + (selector.isEmpty() ? "" : "  selector:\n    matchLabels: {" + selector + "}\n")
        + (mode.isEmpty() ? "" : "  mtls:\n    mode: " + mode + "\n") + "---\n";
  }

  static String pa(String ns, String name, String selector, String mode) {
    return pa(ns, name, selector, mode, "");
  }

  static String service(String ns, String name, int port, String targetPort) {
    return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns
        + "\nspec:\n  selector: {app: " + name + "}\n  ports:\n    - port: " + port
        + (targetPort.isEmpty() ? "" : "\n      targetPort: " + targetPort) + "\n---\n";
  }

  static String dr(String ns, String name, String host, String mode, String extra) {
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: " + name + "\n  namespace: " + ns
        + "\nspec:\n  host: \"" + host + "\"\n" + extra + "  trafficPolicy:\n    tls:\n      mode: " + mode + "\n---\n";
  }

  static final String INJECTED = "istio-injection: enabled";
}
