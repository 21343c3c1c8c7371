package dev.ferry.tools.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** How {@code ferry consume} prints a record; keys, values and headers are shown as UTF-8. */
public enum RecordFormat {
  /** The value only. */
  value {
    @Override
    void print(PrintWriter out, ConsumerRecord<byte[], byte[]> r, String keySeparator) {
      out.println(text(r.value()));
    }
  },
  /** Key, separator, value. */
  kv {
    @Override
    void print(PrintWriter out, ConsumerRecord<byte[], byte[]> r, String keySeparator) {
      out.println(text(r.key()) + keySeparator + text(r.value()));
    }
  },
  /**
   * One JSON object per line: topic, partition, offset, timestamp, key, value (null when absent)
   * and headers as a list of {key, value} (a key may repeat).
   */
  json {
    @Override
    void print(PrintWriter out, ConsumerRecord<byte[], byte[]> r, String keySeparator) {
      ObjectNode node = Json.object();
      node.put("topic", r.topic());
      node.put("partition", r.partition());
      node.put("offset", r.offset());
      node.put("timestamp", r.timestamp());
      node.put("key", r.key() == null ? null : text(r.key()));
      node.put("value", r.value() == null ? null : text(r.value()));
      ArrayNode headers = node.putArray("headers");
      for (Header h : r.headers()) {
        ObjectNode hn = headers.addObject();
        hn.put("key", h.key());
        hn.put("value", h.value() == null ? null : text(h.value()));
      }
      Json.printLine(out, node);
    }
  };

  abstract void print(PrintWriter out, ConsumerRecord<byte[], byte[]> r, String keySeparator);

  private static String text(byte[] bytes) {
    return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
  }
}
