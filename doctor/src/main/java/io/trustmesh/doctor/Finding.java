package io.trustmesh.doctor;

import io.trustmesh.core.diagnosis.Cause;
import java.util.LinkedHashMap;
import java.util.Map;

/** One problem doctor found: its cause from the shared taxonomy and the particulars of this case. */
public record Finding(Cause cause, String detail) {
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reason", cause.code());
    m.put("sentence", cause.sentence());
    m.put("detail", detail);
    m.put("fix", cause.fix());
    return m;
  }
}
