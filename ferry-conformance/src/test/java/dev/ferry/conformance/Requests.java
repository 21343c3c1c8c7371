package dev.ferry.conformance;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Turns any generated request message into a request at an exact version, through its own
 * serialization: no builder second-guesses the fields (a field the version cannot carry throws
 * {@link org.apache.kafka.common.errors.UnsupportedVersionException}, and the case is skipped at
 * that version).
 */
final class Requests {

  private Requests() {}

  static AbstractRequest of(ApiMessage data, short version) {
    ApiKeys api = ApiKeys.forId(data.apiKey());
    ByteBuffer body = MessageUtil.toByteBufferAccessor(data, version).buffer();
    body.rewind();
    return AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(body)).request;
  }
}
