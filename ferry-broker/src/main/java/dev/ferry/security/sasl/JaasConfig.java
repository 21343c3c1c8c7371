package dev.ferry.security.sasl;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * One login module entry of Kafka's {@code sasl.jaas.config} value: {@code <LoginModuleClass>
 * required key="value" key2="value2";}. Values may be quoted (with backslash escapes) or bare.
 */
public record JaasConfig(String loginModule, String flag, Map<String, String> options) {

  public static JaasConfig parse(String text) {
    String s = text.trim();
    if (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1).trim();
    }
    int i = 0;
    int n = s.length();
    int moduleEnd = indexOfWhitespace(s, i);
    String module = s.substring(i, moduleEnd);
    i = skipWhitespace(s, moduleEnd);
    int flagEnd = indexOfWhitespace(s, i);
    String flag = s.substring(i, flagEnd);
    if (module.isEmpty() || flag.isEmpty() || flag.contains("=")) {
      throw new ConfigException(
          "sasl.jaas.config", "(hidden)", "expected '<LoginModule> required key=\"value\"...;'");
    }
    Map<String, String> options = new LinkedHashMap<>();
    i = skipWhitespace(s, flagEnd);
    while (i < n) {
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        throw new ConfigException("sasl.jaas.config", "(hidden)", "option without a value");
      }
      String key = s.substring(i, eq).trim();
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < n && s.charAt(i) == '"') {
        i++;
        while (i < n && s.charAt(i) != '"') {
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            c = s.charAt(i++);
          }
          value.append(c);
        }
        if (i >= n) {
          throw new ConfigException("sasl.jaas.config", "(hidden)", "unterminated quote");
        }
        i++;
      } else {
        int end = indexOfWhitespace(s, i);
        value.append(s, i, end);
        i = end;
      }
      options.put(key, value.toString());
      i = skipWhitespace(s, i);
    }
    return new JaasConfig(module, flag, Map.copyOf(options));
  }

  private static int indexOfWhitespace(String s, int from) {
    int i = from;
    while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int skipWhitespace(String s, int from) {
    int i = from;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Never prints option values: they hold passwords. */
  @Override
  public String toString() {
    return loginModule + " " + flag + " " + options.keySet();
  }
}
