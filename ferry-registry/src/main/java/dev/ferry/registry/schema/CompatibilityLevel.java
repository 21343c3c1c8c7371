package dev.ferry.registry.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Confluent's compatibility levels: which earlier versions a new schema is checked against (the
 * latest, or all with _TRANSITIVE) and in which direction (BACKWARD: the new schema reads old data;
 * FORWARD: old schemas read new data; FULL: both).
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Parses a level name, any case; null for an unknown name. */
  public static CompatibilityLevel parse(String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Checks {@code candidate} against earlier versions of its subject.
   *
   * @param previous the subject's live versions, oldest first
   * @return the problems found; empty when compatible
   */
  public List<String> check(ParsedSchema candidate, List<ParsedSchema> previous) {
    List<String> problems = new ArrayList<>();
    if (this == NONE || previous.isEmpty()) {
      return problems;
    }
    List<ParsedSchema> against = transitive ? previous : List.of(previous.get(previous.size() - 1));
    for (ParsedSchema old : against) {
      if (old.type() != candidate.type()) {
        problems.add(
            "Incompatible because of different schema type: "
                + old.type()
                + " is not "
                + candidate.type());
        continue;
      }
      if (backward) {
        for (String p : candidate.readerIncompatibilities(old)) {
          problems.add("BACKWARD: " + p);
        }
      }
      if (forward) {
        for (String p : old.readerIncompatibilities(candidate)) {
          problems.add("FORWARD: " + p);
        }
      }
    }
    return problems;
  }
}
