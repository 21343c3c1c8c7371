package dev.ferry.security.ssl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Kafka's {@code ssl.principal.mapping.rules}: a comma-separated list of {@code
 * RULE:pattern/replacement/[LU]} and {@code DEFAULT}, applied in order to a certificate's
 * distinguished name (RFC 2253 form); the first rule whose pattern matches the whole name gives the
 * user name ({@code L}/{@code U}: lower/upper case). {@code DEFAULT} keeps the name as it is. No
 * matching rule is an error, as in Kafka.
 */
public final class SslPrincipalMapper {

  private static final Pattern RULE =
      Pattern.compile(
          "\\s*(DEFAULT|RULE:((\\\\.|[^\\\\/])*)/((\\\\.|[^\\\\/])*)/([LU]?).*?)\\s*(,|$)");

  private record Rule(Pattern pattern, String replacement, boolean lower, boolean upper) {
    String apply(String name) {
      if (pattern == null) {
        return name;
      }
      Matcher m = pattern.matcher(name);
      if (!m.matches()) {
        return null;
      }
      String out = m.replaceAll(replacement);
      return lower ? out.toLowerCase(Locale.ROOT) : upper ? out.toUpperCase(Locale.ROOT) : out;
    }
  }

  private final List<Rule> rules;

  private SslPrincipalMapper(List<Rule> rules) {
    this.rules = rules;
  }

  public static SslPrincipalMapper parse(String spec) {
    List<Rule> rules = new ArrayList<>();
    String s = spec == null || spec.isBlank() ? "DEFAULT" : spec.trim();
    Matcher m = RULE.matcher(s);
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new ConfigException(
            "ssl.principal.mapping.rules", spec, "invalid rule at: " + s.substring(at));
      }
      if (m.group(1).equals("DEFAULT")) {
        rules.add(new Rule(null, null, false, false));
      } else {
        String flags = m.group(6);
        rules.add(
            new Rule(
                Pattern.compile(m.group(2)), m.group(4), "L".equals(flags), "U".equals(flags)));
      }
      at = m.end();
    }
    return new SslPrincipalMapper(rules);
  }

  /**
   * The user name for a distinguished name.
   *
   * @throws IllegalArgumentException if no rule matches
   */
  public String userName(String distinguishedName) {
    for (Rule rule : rules) {
      String out = rule.apply(distinguishedName);
      if (out != null) {
        return out;
      }
    }
    throw new IllegalArgumentException(
        "No ssl.principal.mapping.rules rule matches " + distinguishedName);
  }
}
