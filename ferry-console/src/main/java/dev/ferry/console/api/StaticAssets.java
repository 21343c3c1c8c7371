package dev.ferry.console.api;

import dev.ferry.http.HttpException;
import dev.ferry.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The front end: a fixed set of files from {@code dev/ferry/console/web} on the class path, read
 * once. Only the names listed here are served, so no request path reaches the class path.
 */
final class StaticAssets {

  private static final String BASE = "/dev/ferry/console/web/";
  private static final Map<String, String> TYPES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "app.js", "text/javascript; charset=utf-8",
          "charts.js", "text/javascript; charset=utf-8",
          "style.css", "text/css; charset=utf-8",
          "favicon.svg", "image/svg+xml");

  private final Map<String, byte[]> files;

  StaticAssets() {
    java.util.HashMap<String, byte[]> loaded = new java.util.HashMap<>();
    for (String name : TYPES.keySet()) {
      try (InputStream in = StaticAssets.class.getResourceAsStream(BASE + name)) {
        if (in == null) {
          throw new IllegalStateException("Missing console resource " + name);
        }
        loaded.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.files = Map.copyOf(loaded);
  }

  HttpResponse serve(String name) {
    byte[] body = files.get(name);
    if (body == null) {
      throw new HttpException(404, 404, "Not found");
    }
    return new HttpResponse(200, TYPES.get(name), body, SecurityHeaders.forPage());
  }
}
