package dev.ferry.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded HTTP/1.1 server for the broker's HTTP services, on the JDK's {@code
 * com.sun.net.httpserver} (no extra dependency; the Prometheus endpoint already runs on it). It
 * adds what every service needs around a {@link Router}: path segments decoded one by one (an
 * encoded slash stays inside its segment; {@code .} and {@code ..} segments are refused), request
 * bodies bounded (413 past the limit; kept no further), optional HTTP Basic authentication (401
 * before any handler runs), a bounded pool of named daemon threads, and errors rendered in the
 * service's own format.
 */
public final class HttpService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpService.class);

  /** Settings of one server. */
  public record Config(
      String name,
      String host,
      int port,
      int maxBodyBytes,
      int threads,
      Authenticator authenticator,
      String realm) {}

  private final Config config;
  private final Router router;
  private final ErrorRenderer errors;
  private final HttpServer server;
  private final ThreadPoolExecutor executor;

  private HttpService(Config config, Router router, ErrorRenderer errors) throws IOException {
    this.config = config;
    this.router = router;
    this.errors = errors;
    this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
    AtomicInteger n = new AtomicInteger();
    // Bounded: a flood of requests queues up to a limit and is then refused (the connection is
    // closed), it does not grow threads or memory without end.
    this.executor =
        new ThreadPoolExecutor(
            config.threads(),
            config.threads(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, config.name() + "-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::serve);
  }

  /** Binds and starts serving; port 0 picks a free port ({@link #port()}). */
  public static HttpService start(Config config, Router router, ErrorRenderer errors)
      throws IOException {
    HttpService s = new HttpService(config, router, errors);
    s.server.start();
    log.info("{} listening on http://{}:{}", config.name(), config.host(), s.port());
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String host() {
    return config.host();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      HttpResponse response;
      try {
        response = dispatch(exchange);
      } catch (HttpException e) {
        response = errors.render(e);
      } catch (RuntimeException e) {
        log.warn(
            "{}: {} {} failed",
            config.name(),
            exchange.getRequestMethod(),
            exchange.getRequestURI(),
            e);
        response = errors.render(new HttpException(500, 50001, "Internal error: " + e));
      }
      send(exchange, response);
    } catch (IOException e) {
      log.debug("{}: answering failed: {}", config.name(), e.toString());
    }
  }

  private HttpResponse dispatch(HttpExchange exchange) throws IOException {
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    String principal = authenticate(exchange);
    String method = exchange.getRequestMethod();
    Router.Match match = router.match(method, path);
    if (match.handler() == null) {
      throw match.pathKnown()
          ? new HttpException(405, 405, "HTTP " + method + " is not supported here")
          : new HttpException(404, 404, "HTTP 404 Not Found");
    }
    byte[] body = readBody(exchange);
    HttpRequest request =
        new HttpRequest(
            method,
            path,
            match.params(),
            query(exchange.getRequestURI().getRawQuery()),
            Collections.unmodifiableMap(exchange.getRequestHeaders()),
            body,
            principal);
    try {
      return match.handler().handle(request);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String authenticate(HttpExchange exchange) {
    Authenticator auth = config.authenticator();
    if (auth == null) {
      return null;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon > 0) {
          Optional<String> principal =
              auth.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
          if (principal.isPresent()) {
            return principal.get();
          }
        }
      } catch (IllegalArgumentException e) {
        // Not base64: answered like missing credentials below.
      }
    }
    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + config.realm() + "\"");
    throw new HttpException(
        401,
        401,
        header == null ? "Unauthorized: credentials required" : "Unauthorized: bad credentials");
  }

  private byte[] readBody(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    long declared = -1;
    if (length != null) {
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new HttpException(400, 400, "Bad Content-Length");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (InputStream in = exchange.getRequestBody()) {
      if (declared > config.maxBodyBytes()) {
        throw tooLarge(in, buf);
      }
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > config.maxBodyBytes()) {
          throw tooLarge(in, buf);
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  /**
   * The 413, after reading and discarding what is left of a moderately oversized body: closing a
   * socket with unread bytes makes TCP reset the connection, and the client may then lose the 413
   * already sent. A body past a few times the limit is not read; that client sees the reset.
   */
  private HttpException tooLarge(InputStream in, byte[] buf) throws IOException {
    long budget = 4L * config.maxBodyBytes();
    int n;
    while (budget > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, budget))) > 0) {
      budget -= n;
    }
    return tooLarge();
  }

  private HttpException tooLarge() {
    return new HttpException(
        413, 413, "Request body larger than the limit of " + config.maxBodyBytes() + " bytes");
  }

  private static void send(HttpExchange exchange, HttpResponse response) throws IOException {
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    if (response.contentType() != null) {
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
    }
    byte[] body = response.body();
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(
        response.status(), head || body == null || body.length == 0 ? -1 : body.length);
    if (!head && body != null && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Decoded path segments; a {@code .} or {@code ..} segment (raw or encoded) is refused. */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    if (rawPath == null) {
      return out;
    }
    for (String raw : rawPath.split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String s;
      try {
        s = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new HttpException(400, 400, "Malformed path encoding");
      }
      if (s.equals(".") || s.equals("..")) {
        throw new HttpException(400, 400, "Relative path segments are not allowed");
      }
      out.add(s);
    }
    return out;
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.putIfAbsent(k, v);
      } catch (IllegalArgumentException e) {
        throw new HttpException(400, 400, "Malformed query encoding");
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
