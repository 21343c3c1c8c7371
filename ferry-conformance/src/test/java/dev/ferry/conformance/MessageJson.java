package dev.ferry.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The generated JSON form of any generated {@code *Data} message, through the codec's own {@code
 * *JsonConverter} classes: every field the version carries, by its schema name, so two responses
 * can be compared by a generic walk instead of per-API code.
 */
final class MessageJson {

  private MessageJson() {}

  static JsonNode of(ApiMessage data, short version) {
    Class<?> dataClass = data.getClass();
    try {
      Class<?> converter = Class.forName(dataClass.getName() + "JsonConverter");
      Method write = converter.getMethod("write", dataClass, short.class, boolean.class);
      // Records as their size only: batches are compared through the records' own fields where it
      // matters (offsets, counts), not byte for byte (producer ids, timestamps differ).
      return (JsonNode) write.invoke(null, data, version, false);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("JSON form of " + dataClass.getSimpleName(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("No JSON converter for " + dataClass.getName(), e);
    }
  }
}
