package dev.ferry.console.api;

import java.util.Map;

/**
 * Headers on every answer: scripts, styles and requests only from the console itself (no inline
 * script, so injected markup cannot run), no framing, no content sniffing, no referrer.
 */
final class SecurityHeaders {

  private SecurityHeaders() {}

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  static Map<String, String> forJson() {
    return Map.of(
        "X-Content-Type-Options", "nosniff",
        "Cache-Control", "no-store",
        "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }

  static Map<String, String> forPage() {
    return Map.of(
        "X-Content-Type-Options", "nosniff",
        "Content-Security-Policy", CSP,
        "X-Frame-Options", "DENY",
        "Referrer-Policy", "no-referrer",
        "Cache-Control", "no-cache");
  }
}
