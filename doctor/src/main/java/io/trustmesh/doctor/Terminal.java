package io.trustmesh.doctor;

/**
 * Makes text safe to print on a terminal. Subjects, SANs and banners come from the peer, which may
 * be hostile: a certificate whose CN holds escape sequences could otherwise rewrite the screen (hide
 * a line, fake a verdict). Control characters other than the line breaks doctor itself writes are
 * shown as {@code \xNN}.
 */
public final class Terminal {
  private Terminal() {}

  public static String safe(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c >= 0x20 && c < 0x7f || c > 0x9f && c != 0x2028 && c != 0x2029 && !Character.isISOControl(c)) {
        b.append(c);
      } else {
        b.append(String.format("\\x%02x", (int) c & 0xff));
      }
    }
    return b.toString();
  }
}
