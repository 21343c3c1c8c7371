package dev.ferry.console.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpException;
import dev.ferry.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Maps what the Kafka clients answered to HTTP statuses, and renders errors as {@code
 * {"error":..,"message":..}} JSON. The message is the broker's or client's text; the page shows it
 * as text.
 */
public final class ConsoleErrors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ConsoleErrors() {}

  public static HttpException map(RuntimeException e) {
    if (e instanceof HttpException h) {
      return h;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int status;
    if (e instanceof AuthenticationException) {
      status = 401;
    } else if (e instanceof AuthorizationException) {
      status = 403;
    } else if (e instanceof UnknownTopicOrPartitionException
        || e instanceof GroupIdNotFoundException) {
      status = 404;
    } else if (e instanceof TopicExistsException || e instanceof GroupNotEmptyException) {
      status = 409;
    } else if (e instanceof InvalidTopicException
        || e instanceof InvalidRequestException
        || e instanceof InvalidConfigurationException
        || e instanceof InvalidPartitionsException
        || e instanceof InvalidReplicationFactorException
        || e instanceof PolicyViolationException
        || e instanceof IllegalArgumentException) {
      status = 400;
    } else if (e instanceof TimeoutException) {
      status = 504;
    } else if (e instanceof ApiException) {
      status = 502;
    } else {
      return new HttpException(500, 500, "Internal error: " + message);
    }
    return new HttpException(status, status, message);
  }

  public static HttpResponse render(HttpException e) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", e.status());
    body.put("message", e.getMessage());
    String contentType = "application/json; charset=utf-8";
    Map<String, String> headers = SecurityHeaders.forJson();
    return new HttpResponse(
        e.status(), contentType, body.toString().getBytes(StandardCharsets.UTF_8), headers);
  }
}
