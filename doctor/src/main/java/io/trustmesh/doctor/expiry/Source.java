package io.trustmesh.doctor.expiry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a certificate was found: a file (and the entry inside it), a Kubernetes Secret or ConfigMap
 * key, a kubeconfig field, or a live endpoint. {@link #where()} is what people read; {@link
 * #labels()} are the x509-certificate-exporter's label names.
 */
public record Source(String where, String filepath, String endpoint, String namespace, String name, String key) {
  public static Source file(String path, String entry) {
    return new Source(entry == null ? path : path + "#" + entry, path, null, null, null, entry);
  }

  public static Source manifest(String path, String namespace, String name, String key) {
    String obj = name == null ? "" : (namespace != null ? namespace + "/" : "") + name + " ";
    return new Source(path + " (" + obj + key + ")", path, null, namespace, name, key);
  }

  public static Source endpoint(String hostPort) {
    return new Source(hostPort, null, hostPort, null, null, null);
  }

  /** Labels for the Prometheus textfile, in the exporter's names; absent ones are left out. */
  public Map<String, String> labels() {
    Map<String, String> m = new LinkedHashMap<>();
    if (filepath != null) {
      m.put("filepath", filepath);
    }
    if (endpoint != null) {
      m.put("endpoint", endpoint);
    }
    if (name != null) {
      m.put("secret_namespace", namespace == null ? "" : namespace);
      m.put("secret_name", name);
      m.put("secret_key", key == null ? "" : key);
    }
    return m;
  }
}
