package dev.ferry.tools.verify;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, or a bare number of seconds. */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return positive(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), value);
      }
      if (v.endsWith("s")) {
        return positive(Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1))), value);
      }
      if (v.endsWith("m")) {
        return positive(Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1))), value);
      }
      if (v.endsWith("h")) {
        return positive(Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1))), value);
      }
      return positive(Duration.ofSeconds(Long.parseLong(v)), value);
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration (e.g. 500ms, 60s, 5m, 1h)");
    }
  }

  private static Duration positive(Duration d, String value) {
    if (d.isNegative() || d.isZero()) {
      throw new TypeConversionException("'" + value + "' is not a positive duration");
    }
    return d;
  }
}
