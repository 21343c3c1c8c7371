package dev.ferry.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes by method and path pattern ({@code /subjects/{subject}/versions/{version}}): literal
 * segments must match exactly, {@code {name}} segments match any one decoded segment (so a value
 * may contain an encoded slash without changing the route).
 */
public final class Router {

  private record Route(String method, String[] pattern, HttpHandler handler) {}

  /** Match outcome: the handler and the path parameters, or why nothing matched. */
  public record Match(HttpHandler handler, Map<String, String> params, boolean pathKnown) {}

  private final List<Route> routes = new ArrayList<>();

  public Router add(String method, String pattern, HttpHandler handler) {
    String trimmed = pattern.startsWith("/") ? pattern.substring(1) : pattern;
    routes.add(new Route(method, trimmed.isEmpty() ? new String[0] : trimmed.split("/"), handler));
    return this;
  }

  /**
   * @return the matching route; a null handler with {@code pathKnown} when only the method is wrong
   *     (405), without it when no path matches (404)
   */
  public Match match(String method, List<String> path) {
    boolean pathKnown = false;
    for (Route r : routes) {
      Map<String, String> params = matchPath(r.pattern(), path);
      if (params == null) {
        continue;
      }
      if (r.method().equals(method)) {
        return new Match(r.handler(), params, true);
      }
      pathKnown = true;
    }
    return new Match(null, Map.of(), pathKnown);
  }

  private static Map<String, String> matchPath(String[] pattern, List<String> path) {
    if (pattern.length != path.size()) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{") && p.endsWith("}")) {
        params.put(p.substring(1, p.length() - 1), path.get(i));
      } else if (!p.equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }
}
