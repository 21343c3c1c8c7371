package dev.ferry.metadata;

import org.apache.kafka.common.errors.InvalidTopicException;

/** Kafka's rules for topic names. */
public final class TopicNames {

  /**
   * Longest legal name. Kafka derives it from the file-name limit of 255 bytes minus room for the
   * partition suffix of a log directory ("-" and up to 5 digits).
   */
  public static final int MAX_LENGTH = 249;

  private TopicNames() {}

  /**
   * @throws InvalidTopicException unless {@code name} is 1 to 249 characters of [a-zA-Z0-9._-] and
   *     is not "." or ".." (which would name a directory's self or parent)
   */
  public static void validate(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidTopicException("Topic name is empty.");
    }
    if (name.equals(".") || name.equals("..")) {
      throw new InvalidTopicException("Topic name cannot be \".\" or \"..\".");
    }
    if (name.length() > MAX_LENGTH) {
      throw new InvalidTopicException(
          "Topic name is longer than " + MAX_LENGTH + " characters: " + name.length() + ".");
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isLegal(name.charAt(i))) {
        throw new InvalidTopicException(
            "Topic name \""
                + name
                + "\" is illegal: it contains a character other than ASCII alphanumerics, '.', '_'"
                + " and '-'.");
      }
    }
  }

  /**
   * Whether two distinct names would collide in metric names, where Kafka replaces '.' by '_';
   * Kafka refuses to create a topic that collides with an existing one.
   */
  public static boolean collide(String a, String b) {
    return !a.equals(b) && a.replace('.', '_').equals(b.replace('.', '_'));
  }

  private static boolean isLegal(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }
}
