package io.trustmesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cert verify --batch}: one JSON case per input line, one JSON verdict per output line, in
 * order. What harnesses (the x509-limbo runner) drive.
 *
 * <p>Input fields: {@code id}, {@code trusted} (PEM list), {@code intermediates} (PEM list),
 * {@code leaf} (PEM), {@code at} (ISO-8601 or null for now), {@code usage} (server|client), and
 * optionally {@code dns}, {@code ip}, {@code spiffe_id}, {@code trust_domain}, {@code max_depth},
 * {@code crls} (PEM list). With {@code spiffe_id} or {@code trust_domain} the X.509-SVID profile
 * applies and {@code trusted} is that trust domain's bundle; otherwise plain X.509.
 *
 * <p>Output: {@code {"id", "result": "valid"|"invalid"|"error", "reason", "failure"}}. A leaf that
 * does not parse is {@code invalid} (malformed); a line that is not a well-formed case is {@code
 * error}, and the batch goes on.
 */
final class BatchVerify {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InputStream in;
  private final PrintWriter out;

  BatchVerify(InputStream in, PrintWriter out) {
    this.in = in;
    this.out = out;
  }

  /** Exit code: 0 when every case was valid, 1 otherwise. */
  int run() {
    boolean allValid = true;
    int lineNo = 0;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        ObjectNode verdict = verdict(line, lineNo);
        allValid &= "valid".equals(verdict.get("result").asText());
        try {
          out.println(JSON.writeValueAsString(verdict));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the batch from standard input: " + e.getMessage(), e);
    }
    return allValid ? Main.OK : Main.FAILED;
  }

  private ObjectNode verdict(String line, int lineNo) {
    ObjectNode result = JSON.createObjectNode();
    JsonNode c;
    try {
      c = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return error(result, "line " + lineNo + ": not JSON (" + Main.oneLine(e.getOriginalMessage()) + ")");
    }
    if (c == null || !c.isObject()) {
      return error(result, "line " + lineNo + ": expected a JSON object");
    }
    result.set("id", c.get("id"));
    try {
      Case k = Case.parse(c, lineNo);
      if (k.leaf == null) {
        result.put("result", "invalid");
        result.put("reason", k.leafProblem);
        result.put("failure", "malformed");
        return result;
      }
      Verification v = X509Verifier.verify(k.leaf, k.options);
      result.put("result", v.isValid() ? "valid" : "invalid");
      result.put("reason", v.reason());
      result.put("failure", v.failure().map(f -> f.code()).orElse(null));
      return result;
    } catch (BadInputException e) {
      return error(result, e.getMessage());
    } catch (RuntimeException e) {
      return error(result, "line " + lineNo + ": internal error: " + e);
    }
  }

  private static ObjectNode error(ObjectNode result, String reason) {
    if (!result.has("id")) {
      result.putNull("id");
    }
    result.put("result", "error");
    result.put("reason", Main.oneLine(reason));
    return result;
  }

  /** One parsed case. */
  private static final class Case {
    X509Certificate leaf;
    String leafProblem;
    VerifyOptions options;

    static Case parse(JsonNode c, int lineNo) {
      String where = "line " + lineNo + (c.hasNonNull("id") ? " (id " + c.get("id").asText() + ")" : "");
      Case k = new Case();
      String leafPem = text(c, "leaf", where, true);
      try {
        List<X509Certificate> leaf = Pem.parseCertificates(leafPem.getBytes(StandardCharsets.US_ASCII), "leaf");
        if (leaf.isEmpty()) {
          throw new BadInputException(where + ": field 'leaf' holds no certificate");
        }
        k.leaf = leaf.get(0);
      } catch (BadInputException e) {
        if (!leafPem.contains("-----BEGIN")) {
          throw new BadInputException(where + ": field 'leaf' is not PEM");
        }
        k.leafProblem = "malformed certificate: " + Main.oneLine(e.getMessage());
      }
      List<X509Certificate> trusted = certificates(c, "trusted", where, true);
      List<X509Certificate> intermediates = certificates(c, "intermediates", where, false);
      String spiffeId = text(c, "spiffe_id", where, false);
      String trustDomain = text(c, "trust_domain", where, false);
      if (spiffeId != null || trustDomain != null) {
        SpiffeId id = spiffeId == null ? null : SpiffeId.parse(spiffeId);
        TrustDomain td = trustDomain != null ? TrustDomain.parse(trustDomain) : id.trustDomain();
        k.options = VerifyOptions.spiffe(X509BundleSet.of(new X509Bundle(td, trusted)))
            .expectSpiffeId(id).expectTrustDomain(td);
      } else {
        k.options = VerifyOptions.x509(trusted);
      }
      k.options.intermediates(intermediates);
      String at = text(c, "at", where, false);
      if (at != null) {
        try {
          k.options.at(OffsetDateTime.parse(at).toInstant());
        } catch (DateTimeParseException e) {
          throw new BadInputException(where + ": field 'at' is not an ISO-8601 time: " + at);
        }
      } else {
        k.options.at(Instant.now());
      }
      String usage = text(c, "usage", where, false);
      if (usage != null) {
        k.options.usage(Usage.parse(usage));
      }
      k.options.dnsName(text(c, "dns", where, false));
      String ip = text(c, "ip", where, false);
      if (ip != null) {
        k.options.ipAddress(ipLiteral(ip, where));
      }
      JsonNode depth = c.get("max_depth");
      if (depth != null && !depth.isNull()) {
        if (!depth.canConvertToInt() || depth.asInt() < 0) {
          throw new BadInputException(where + ": field 'max_depth' must be a number >= 0: " + depth);
        }
        k.options.maxDepth(depth.asInt());
      }
      k.options.crls(crls(c, where));
      return k;
    }

    private static String text(JsonNode c, String field, String where, boolean required) {
      JsonNode n = c.get(field);
      if (n == null || n.isNull()) {
        if (required) {
          throw new BadInputException(where + ": field '" + field + "' is missing");
        }
        return null;
      }
      if (!n.isTextual()) {
        throw new BadInputException(where + ": field '" + field + "' must be a string");
      }
      return n.asText();
    }

    private static List<String> texts(JsonNode c, String field, String where, boolean required) {
      JsonNode n = c.get(field);
      if (n == null || n.isNull()) {
        if (required) {
          throw new BadInputException(where + ": field '" + field + "' is missing");
        }
        return List.of();
      }
      if (!n.isArray()) {
        throw new BadInputException(where + ": field '" + field + "' must be a list of PEM strings");
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : n) {
        if (!e.isTextual()) {
          throw new BadInputException(where + ": field '" + field + "' must be a list of PEM strings");
        }
        out.add(e.asText());
      }
      return out;
    }

    /**
     * The certificates of a PEM list. One that does not parse is left out, as a verifier does with
     * an undecodable certificate a peer sent: it cannot help build a path.
     */
    private static List<X509Certificate> certificates(JsonNode c, String field, String where, boolean required) {
      List<X509Certificate> out = new ArrayList<>();
      for (String pem : texts(c, field, where, required)) {
        if (!pem.contains("-----BEGIN")) {
          throw new BadInputException(where + ": an entry of '" + field + "' is not PEM");
        }
        try {
          out.addAll(Pem.parseCertificates(pem.getBytes(StandardCharsets.US_ASCII), field));
        } catch (BadInputException e) {
          // undecodable: cannot be part of a valid path
        }
      }
      return out;
    }

    private static List<X509CRL> crls(JsonNode c, String where) {
      List<X509CRL> out = new ArrayList<>();
      for (String pem : texts(c, "crls", where, false)) {
        try {
          CertificateFactory cf = CertificateFactory.getInstance("X.509");
          for (CRL crl : cf.generateCRLs(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509CRL) crl);
          }
        } catch (GeneralSecurityException | RuntimeException e) {
          throw new BadInputException(where + ": an entry of 'crls' is not a PEM CRL: " + Main.oneLine(e.getMessage()));
        }
      }
      return out;
    }

    private static InetAddress ipLiteral(String ip, String where) {
      boolean literal = ip.matches("[0-9.]+") || (ip.contains(":") && ip.matches("[0-9A-Fa-f:.]+"));
      if (!literal) {
        throw new BadInputException(where + ": field 'ip' is not an IP address: " + ip);
      }
      try {
        return InetAddress.getByName(ip);
      } catch (IOException e) {
        throw new BadInputException(where + ": field 'ip' is not an IP address: " + ip);
      }
    }
  }
}
