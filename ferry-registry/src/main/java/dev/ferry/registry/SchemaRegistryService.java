package dev.ferry.registry;

import dev.ferry.registry.api.RegistryErrors;
import dev.ferry.registry.schema.CompatibilityLevel;
import dev.ferry.registry.schema.InvalidSchemaException;
import dev.ferry.registry.schema.ParsedSchema;
import dev.ferry.registry.schema.SchemaParser;
import dev.ferry.registry.schema.SchemaReference;
import dev.ferry.registry.schema.SchemaType;
import dev.ferry.registry.store.LogRecords;
import dev.ferry.registry.store.RegistryState;
import dev.ferry.registry.store.SchemaLog;
import dev.ferry.registry.store.StoredSchema;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The registry's rules (Confluent's semantics) over the materialised state: reads come from the
 * local view, writes are appended to the schemas log under one lock and return once applied here.
 * Only the broker that leads the log's partition writes ({@link #isWriter()}); the HTTP layer
 * forwards writes that reach another broker.
 */
public final class SchemaRegistryService {

  /** What a registration asks for; {@code id} and {@code version} only in IMPORT mode. */
  public record Registration(
      String schema,
      String schemaType,
      List<SchemaReference> references,
      Integer id,
      Integer version) {}

  public static final String DEFAULT_COMPATIBILITY = "BACKWARD";
  public static final Set<String> MODES = Set.of("READWRITE", "READONLY", "IMPORT");
  private static final int MAX_SUBJECT_LENGTH = 255;

  private final int brokerId;
  private final RegistryState state;
  private final SchemaLog log;
  private final long timeoutMs;
  private final Object writeLock = new Object();

  public SchemaRegistryService(int brokerId, RegistryState state, SchemaLog log, long timeoutMs) {
    this.brokerId = brokerId;
    this.state = state;
    this.log = log;
    this.timeoutMs = timeoutMs;
  }

  public RegistryState state() {
    return state;
  }

  /** Whether this broker is the registry's single writer (it leads the schemas partition). */
  public boolean isWriter() {
    OptionalInt leader = log.writerBrokerId();
    return leader.isPresent() && leader.getAsInt() == brokerId;
  }

  /** The writer's registry URL, for forwarding; empty while unknown. */
  public Optional<String> writerUrl() {
    OptionalInt leader = log.writerBrokerId();
    return leader.isPresent() ? state.nodeUrl(leader.getAsInt()) : Optional.empty();
  }

  /** Publishes this broker's registry URL (once the log is read; only when it changed). */
  public void announce(String url) throws TimeoutException, InterruptedException {
    log.catchUp(timeoutMs);
    if (!url.equals(state.nodeUrl(brokerId).orElse(null))) {
      log.append(LogRecords.nodeKey(brokerId), LogRecords.nodeValue(url), timeoutMs);
    }
  }

  // ---- subjects and versions ----

  public static void checkSubject(String subject) {
    if (subject == null || subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH) {
      throw RegistryErrors.invalidSubject(subject == null ? "" : subject);
    }
    for (int i = 0; i < subject.length(); i++) {
      if (Character.isISOControl(subject.charAt(i))) {
        throw RegistryErrors.invalidSubject(subject);
      }
    }
  }

  public List<String> subjects(boolean deleted, String prefix) {
    List<String> out = new ArrayList<>();
    for (String s : state.subjects()) {
      if ((prefix == null || s.startsWith(prefix))
          && state.versions(s).stream().anyMatch(v -> deleted || !v.deleted())) {
        out.add(s);
      }
    }
    return out;
  }

  public List<Integer> versions(String subject, boolean deleted) {
    List<Integer> out = new ArrayList<>();
    for (StoredSchema s : existingSubject(subject, deleted)) {
      if (deleted || !s.deleted()) {
        out.add(s.version());
      }
    }
    return out;
  }

  /** A version by number or "latest" (-1); soft-deleted ones only with {@code deleted}. */
  public StoredSchema version(String subject, String version, boolean deleted) {
    int v = parseVersion(version);
    List<StoredSchema> versions = existingSubject(subject, deleted);
    if (v == -1) {
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (deleted || !versions.get(i).deleted()) {
          return versions.get(i);
        }
      }
      throw RegistryErrors.versionNotFound(version);
    }
    for (StoredSchema s : versions) {
      if (s.version() == v && (deleted || !s.deleted())) {
        return s;
      }
    }
    throw RegistryErrors.versionNotFound(v);
  }

  private List<StoredSchema> existingSubject(String subject, boolean deleted) {
    checkSubject(subject);
    List<StoredSchema> versions = state.versions(subject);
    if (versions.isEmpty() || (!deleted && versions.stream().allMatch(StoredSchema::deleted))) {
      throw RegistryErrors.subjectNotFound(subject);
    }
    return versions;
  }

  public static int parseVersion(String version) {
    if ("latest".equals(version)) {
      return -1;
    }
    try {
      int v = Integer.parseInt(version);
      if (v == -1 || v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw RegistryErrors.invalidVersion(version);
  }

  public StoredSchema schemaById(int id) {
    return state.byId(id).orElseThrow(() -> RegistryErrors.schemaNotFound(id));
  }

  public List<StoredSchema> usesOf(int id, boolean deleted) {
    List<StoredSchema> uses = state.usesOf(id);
    if (uses.isEmpty()) {
      throw RegistryErrors.schemaNotFound(id);
    }
    return uses.stream().filter(s -> deleted || !s.deleted()).toList();
  }

  public List<Integer> referencedBy(String subject, String version) {
    StoredSchema s = version(subject, version, false);
    return state.referencing(subject, s.version()).stream().map(StoredSchema::id).toList();
  }

  /** Is this schema registered under the subject? (POST /subjects/{subject}) */
  public StoredSchema lookup(String subject, Registration r, boolean deleted) {
    List<StoredSchema> versions = existingSubject(subject, deleted);
    ParsedSchema parsed = parse(r.schemaType(), r.schema(), refs(r));
    String content = StoredSchema.contentKey(parsed.type(), parsed.canonical(), refs(r));
    for (StoredSchema s : versions) {
      if ((deleted || !s.deleted()) && s.contentKey().equals(content)) {
        return s;
      }
    }
    throw RegistryErrors.schemaNotFound(null);
  }

  // ---- registration and compatibility ----

  public int register(String subject, Registration r)
      throws TimeoutException, InterruptedException {
    checkSubject(subject);
    List<SchemaReference> refs = refs(r);
    ParsedSchema parsed = parse(r.schemaType(), r.schema(), refs);
    synchronized (writeLock) {
      log.catchUp(timeoutMs);
      String mode = effectiveMode(subject);
      if (mode.equals("READONLY")) {
        throw RegistryErrors.notPermitted("Subject " + subject + " is in read-only mode");
      }
      if ((r.id() != null || r.version() != null) && !mode.equals("IMPORT")) {
        throw RegistryErrors.notPermitted(
            "A schema id or version can only be given in IMPORT mode");
      }
      String content = StoredSchema.contentKey(parsed.type(), parsed.canonical(), refs);
      List<StoredSchema> versions = state.versions(subject);
      for (StoredSchema s : versions) {
        if (!s.deleted() && s.contentKey().equals(content)) {
          return s.id();
        }
      }
      if (!mode.equals("IMPORT")) {
        List<String> problems =
            CompatibilityLevel.parse(effectiveConfig(subject)).check(parsed, live(versions));
        if (!problems.isEmpty()) {
          throw RegistryErrors.incompatible(
              "Schema being registered is incompatible with an earlier schema for subject \""
                  + subject
                  + "\", details: "
                  + problems);
        }
      }
      int id = r.id() != null ? r.id() : state.idOf(content).orElse(state.maxId() + 1);
      Optional<StoredSchema> sameId = state.byId(id);
      if (sameId.isPresent() && !sameId.get().contentKey().equals(content)) {
        throw RegistryErrors.notPermitted("Schema id " + id + " is already used by another schema");
      }
      int version =
          r.version() != null
              ? r.version()
              : versions.stream().mapToInt(StoredSchema::version).max().orElse(0) + 1;
      StoredSchema stored =
          new StoredSchema(subject, version, id, parsed.type(), parsed.canonical(), refs, false);
      log.append(LogRecords.schemaKey(subject, version), LogRecords.schemaValue(stored), timeoutMs);
      return id;
    }
  }

  /**
   * Checks a schema against one version ({@code version} non-null: the level's direction, that
   * version only) or against what registration would check (null).
   */
  public List<String> checkCompatibility(String subject, String version, Registration r) {
    List<SchemaReference> refs = refs(r);
    ParsedSchema parsed = parse(r.schemaType(), r.schema(), refs);
    CompatibilityLevel level = CompatibilityLevel.parse(effectiveConfig(subject));
    if (version == null) {
      checkSubject(subject);
      return level.check(parsed, live(state.versions(subject)));
    }
    StoredSchema against = version(subject, version, false);
    return level.check(parsed, List.of(parse(against)));
  }

  private List<ParsedSchema> live(List<StoredSchema> versions) {
    List<ParsedSchema> out = new ArrayList<>();
    for (StoredSchema s : versions) {
      if (!s.deleted()) {
        out.add(parse(s));
      }
    }
    return out;
  }

  private ParsedSchema parse(StoredSchema s) {
    return parse(s.type().name(), s.schema(), s.references());
  }

  private ParsedSchema parse(String type, String text, List<SchemaReference> refs) {
    try {
      SchemaType t = SchemaType.fromName(type);
      return SchemaParser.parse(t, text, resolve(refs, new LinkedHashSet<>(), 0));
    } catch (InvalidSchemaException e) {
      throw RegistryErrors.invalidSchema(e.getMessage());
    }
  }

  /** The referenced schemas' texts, dependencies first; every reference must exist. */
  private List<String> resolve(List<SchemaReference> refs, LinkedHashSet<String> out, int depth) {
    if (depth > 32) {
      throw new InvalidSchemaException("Invalid schema: references nested too deep");
    }
    for (SchemaReference ref : refs) {
      StoredSchema s =
          state.versions(ref.subject()).stream()
              .filter(v -> v.version() == ref.version() && !v.deleted())
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidSchemaException(
                          "Invalid schema: reference "
                              + ref.name()
                              + " to subject "
                              + ref.subject()
                              + " version "
                              + ref.version()
                              + " not found"));
      resolve(s.references(), out, depth + 1);
      out.add(s.schema());
    }
    return new ArrayList<>(out);
  }

  private static List<SchemaReference> refs(Registration r) {
    return r.references() == null ? List.of() : List.copyOf(r.references());
  }

  // ---- deletes ----

  public List<Integer> deleteSubject(String subject, boolean permanent)
      throws TimeoutException, InterruptedException {
    checkSubject(subject);
    synchronized (writeLock) {
      log.catchUp(timeoutMs);
      requireWritable(subject);
      List<StoredSchema> versions = state.versions(subject);
      if (versions.isEmpty()) {
        throw RegistryErrors.subjectNotFound(subject);
      }
      boolean allDeleted = versions.stream().allMatch(StoredSchema::deleted);
      if (!permanent && allDeleted) {
        throw RegistryErrors.subjectSoftDeleted(subject);
      }
      if (permanent && !allDeleted) {
        throw RegistryErrors.subjectNotSoftDeleted(subject);
      }
      for (StoredSchema s : versions) {
        checkNotReferenced(s);
      }
      List<Integer> out = new ArrayList<>();
      for (StoredSchema s : versions) {
        out.add(s.version());
        byte[] key = LogRecords.schemaKey(subject, s.version());
        log.append(key, permanent ? null : LogRecords.schemaValue(s.withDeleted(true)), timeoutMs);
      }
      if (permanent) {
        if (state.config(subject) != null) {
          log.append(LogRecords.configKey(subject), null, timeoutMs);
        }
        if (state.mode(subject) != null) {
          log.append(LogRecords.modeKey(subject), null, timeoutMs);
        }
      }
      return out;
    }
  }

  public int deleteVersion(String subject, String version, boolean permanent)
      throws TimeoutException, InterruptedException {
    checkSubject(subject);
    synchronized (writeLock) {
      log.catchUp(timeoutMs);
      requireWritable(subject);
      StoredSchema s = version(subject, version, true);
      if (parseVersion(version) == -1 && !permanent) {
        s = version(subject, version, false);
      }
      if (!permanent && s.deleted()) {
        throw RegistryErrors.versionSoftDeleted(subject, s.version());
      }
      if (permanent && !s.deleted()) {
        throw RegistryErrors.versionNotSoftDeleted(subject, s.version());
      }
      checkNotReferenced(s);
      byte[] key = LogRecords.schemaKey(subject, s.version());
      log.append(key, permanent ? null : LogRecords.schemaValue(s.withDeleted(true)), timeoutMs);
      return s.version();
    }
  }

  private void checkNotReferenced(StoredSchema s) {
    List<StoredSchema> users = state.referencing(s.subject(), s.version());
    if (!users.isEmpty()) {
      throw RegistryErrors.referenceExists(
          "One or more references exist to the schema {subject="
              + s.subject()
              + ",version="
              + s.version()
              + "}: ids "
              + users.stream().map(StoredSchema::id).toList());
    }
  }

  private void requireWritable(String subject) {
    if (effectiveMode(subject).equals("READONLY")) {
      throw RegistryErrors.notPermitted("Subject " + subject + " is in read-only mode");
    }
  }

  // ---- config and mode ----

  public String effectiveConfig(String subject) {
    String own = subject == null ? null : state.config(subject);
    if (own != null) {
      return own;
    }
    String global = state.config(null);
    return global != null ? global : DEFAULT_COMPATIBILITY;
  }

  /** The subject's own level (40408 when it has none, unless {@code defaultToGlobal}). */
  public String config(String subject, boolean defaultToGlobal) {
    if (subject == null) {
      return effectiveConfig(null);
    }
    checkSubject(subject);
    String own = state.config(subject);
    if (own == null && !defaultToGlobal) {
      throw RegistryErrors.subjectConfigNotFound(subject);
    }
    return own != null ? own : effectiveConfig(null);
  }

  public String setConfig(String subject, String level)
      throws TimeoutException, InterruptedException {
    if (subject != null) {
      checkSubject(subject);
    }
    CompatibilityLevel parsed = CompatibilityLevel.parse(level);
    if (parsed == null) {
      throw RegistryErrors.invalidCompatibility(level);
    }
    synchronized (writeLock) {
      log.append(LogRecords.configKey(subject), LogRecords.configValue(parsed.name()), timeoutMs);
    }
    return parsed.name();
  }

  /** Removes the subject's (or the global) level; returns the level it had. */
  public String deleteConfig(String subject) throws TimeoutException, InterruptedException {
    if (subject != null) {
      checkSubject(subject);
    }
    synchronized (writeLock) {
      log.catchUp(timeoutMs);
      String previous = subject == null ? effectiveConfig(null) : state.config(subject);
      if (previous == null) {
        if (state.versions(subject).isEmpty()) {
          throw RegistryErrors.subjectNotFound(subject);
        }
        throw RegistryErrors.subjectConfigNotFound(subject);
      }
      if (state.config(subject) != null) {
        log.append(LogRecords.configKey(subject), null, timeoutMs);
      }
      return previous;
    }
  }

  public String effectiveMode(String subject) {
    String own = subject == null ? null : state.mode(subject);
    if (own != null) {
      return own;
    }
    String global = state.mode(null);
    return global != null ? global : "READWRITE";
  }

  public String mode(String subject, boolean defaultToGlobal) {
    if (subject == null) {
      return effectiveMode(null);
    }
    checkSubject(subject);
    String own = state.mode(subject);
    if (own == null && !defaultToGlobal) {
      throw RegistryErrors.subjectModeNotFound(subject);
    }
    return own != null ? own : effectiveMode(null);
  }

  public String setMode(String subject, String mode) throws TimeoutException, InterruptedException {
    if (subject != null) {
      checkSubject(subject);
    }
    String m = mode == null ? null : mode.trim().toUpperCase(Locale.ROOT);
    if (m == null || !MODES.contains(m)) {
      throw RegistryErrors.invalidMode(mode);
    }
    synchronized (writeLock) {
      log.append(LogRecords.modeKey(subject), LogRecords.modeValue(m), timeoutMs);
    }
    return m;
  }

  public String deleteMode(String subject) throws TimeoutException, InterruptedException {
    checkSubject(subject);
    synchronized (writeLock) {
      log.catchUp(timeoutMs);
      String previous = state.mode(subject);
      if (previous == null) {
        throw RegistryErrors.subjectModeNotFound(subject);
      }
      log.append(LogRecords.modeKey(subject), null, timeoutMs);
      return previous;
    }
  }
}
