package io.trustmesh.doctor;

import java.util.LinkedHashMap;
import java.util.Map;

/** One thing doctor did or checked, in the order it happened, with what it saw. */
public record Step(String name, boolean ok, String detail) {
  public static Step ok(String name, String detail) {
    return new Step(name, true, detail);
  }

  public static Step failed(String name, String detail) {
    return new Step(name, false, detail);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("ok", ok);
    m.put("detail", detail);
    return m;
  }
}
