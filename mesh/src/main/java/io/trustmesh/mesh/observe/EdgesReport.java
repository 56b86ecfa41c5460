package io.trustmesh.mesh.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints {@code trustmesh edges}: a table with the columns of {@code linkerd viz edges}, or JSON. */
public final class EdgesReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final List<String> COLUMNS =
      List.of("SRC", "DST", "SRC_NS", "DST_NS", "CLIENT_ID", "SERVER_ID", "SECURED", "CONNECTIONS");

  private EdgesReport() {}

  public static void text(List<Edge> edges, PrintWriter out) {
    if (edges.isEmpty()) {
      out.println("No connections in the access logs yet.");
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(COLUMNS);
    for (Edge e : edges) {
      rows.add(List.of(e.src(), e.dst(), dash(e.srcNamespace()), dash(e.dstNamespace()), dash(e.clientId()),
          dash(e.serverId()), e.secured(), Long.toString(e.connections())));
    }
    int[] width = new int[COLUMNS.size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).codePointCount(0, r.get(i).length()));
      }
    }
    for (List<String> r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        String cell = r.get(i);
        sb.append(cell);
        if (i < r.size() - 1) {
          sb.append(" ".repeat(width[i] - cell.codePointCount(0, cell.length()) + 3));
        }
      }
      out.println(sb);
    }
  }

  public static void json(List<Edge> edges, PrintWriter out) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = root.putArray("edges");
    edges.forEach(e -> arr.add(e.toJson()));
    try {
      out.println(JSON.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }
}
