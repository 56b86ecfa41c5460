package io.trustmesh.agent.internal;

import com.google.protobuf.ByteString;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.core.svid.X509Svid;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The format of the agent's {@code workloads.bin}: every workload SVID (chain and PKCS#8 key) by
 * entry id, in one file so that the agent persists a whole batch of renewals with one atomic write.
 *
 * <pre>
 * "trustmesh-workload-svids/1\n"  count:int
 * count x ( entryId:UTF  certs:int  certs x (len:int DER)  keyLen:int PKCS8 )
 * </pre>
 *
 * Reading checks every length against what is left and requires the file to end exactly after the
 * last entry: a damaged file is refused as a whole, never half-read.
 */
final class WorkloadSvidFile {
  private static final String MAGIC = "trustmesh-workload-svids/1\n";
  /** Far above any real chain or key; a larger length means the file is damaged. */
  private static final int MAX_ITEM = 1 << 20;

  private WorkloadSvidFile() {}

  static byte[] encode(Map<String, X509Svid> svids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(svids.size() * 2048 + 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeBytes(MAGIC);
      out.writeInt(svids.size());
      for (Map.Entry<String, X509Svid> e : svids.entrySet()) {
        out.writeUTF(e.getKey());
        List<X509Certificate> chain = e.getValue().chain();
        out.writeInt(chain.size());
        for (X509Certificate c : chain) {
          writeItem(out, c.getEncoded());
        }
        writeItem(out, e.getValue().privateKey().getEncoded());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a workload SVID: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /** @throws IOException or IllegalArgumentException when {@code bytes} is not a whole, intact file */
  static Map<String, X509Svid> read(byte[] bytes, String where) throws IOException {
    Map<String, X509Svid> out = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte[] magic = new byte[MAGIC.length()];
      in.readFully(magic);
      if (!new String(magic, StandardCharsets.US_ASCII).equals(MAGIC)) {
        throw new IllegalArgumentException("not a trustmesh workload SVID file");
      }
      int count = in.readInt();
      if (count < 0) {
        throw new IllegalArgumentException("negative entry count " + count);
      }
      for (int i = 0; i < count; i++) {
        String entryId = in.readUTF();
        int certs = in.readInt();
        if (certs < 1 || certs > 16) {
          throw new IllegalArgumentException("entry " + entryId + ": " + certs + " certificates");
        }
        List<ByteString> chain = new ArrayList<>(certs);
        for (int c = 0; c < certs; c++) {
          chain.add(ByteString.copyFrom(readItem(in)));
        }
        PrivateKey key = Der.privateKey(ByteString.copyFrom(readItem(in)));
        out.put(entryId, X509Svid.of(Der.certificates(chain), key, where + " (entry " + entryId + ")"));
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("trailing bytes after " + count + " entries");
      }
    } catch (EOFException e) {
      throw new IllegalArgumentException("truncated", e);
    }
    return out;
  }

  private static void writeItem(DataOutputStream out, byte[] item) throws IOException {
    out.writeInt(item.length);
    out.write(item);
  }

  private static byte[] readItem(DataInputStream in) throws IOException {
    int len = in.readInt();
    if (len < 0 || len > MAX_ITEM || len > in.available()) {
      throw new IllegalArgumentException("bad length " + len);
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return b;
  }
}
