package dev.ferry.http;

/** Turns an error into a response body in the service's format. */
@FunctionalInterface
public interface ErrorRenderer {
  HttpResponse render(HttpException error);
}
