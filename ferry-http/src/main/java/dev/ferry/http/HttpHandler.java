package dev.ferry.http;

/** Serves one route; throws {@link HttpException} for an error answer. */
@FunctionalInterface
public interface HttpHandler {
  HttpResponse handle(HttpRequest request) throws Exception;
}
