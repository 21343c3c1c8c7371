package dev.ferry.registry.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's materialised view of the {@code _schemas} topic, built by applying its records in
 * log order (every broker builds the same view). Reads and applies synchronise on this object; the
 * schema ids registered under each subject are also kept in sorted arrays that the produce path
 * reads without locking or allocating.
 */
public final class RegistryState {

  private static final Logger log = LoggerFactory.getLogger(RegistryState.class);

  private final Map<String, TreeMap<Integer, StoredSchema>> subjects = new TreeMap<>();
  private final Map<Integer, StoredSchema> byId = new HashMap<>();
  private final Map<String, Integer> idByContent = new HashMap<>();
  private final Map<String, String> configs = new HashMap<>();
  private final Map<String, String> modes = new HashMap<>();
  private final Map<Integer, String> nodes = new HashMap<>();
  private final Map<String, int[]> liveIds = new ConcurrentHashMap<>();
  private int maxId;

  /** Applies one record of the topic; unknown or malformed records are skipped with a warning. */
  public synchronized void apply(byte[] key, byte[] value) {
    try {
      LogRecords.Key k = LogRecords.key(key);
      if (k == null) {
        return;
      }
      switch (k.type()) {
        case SCHEMA -> applySchema(k, value);
        case CONFIG -> put(configs, k.subject(), value, "compatibilityLevel");
        case MODE -> put(modes, k.subject(), value, "mode");
        case FERRY_NODE -> {
          if (value == null) {
            nodes.remove(k.number());
          } else {
            nodes.put(k.number(), LogRecords.field(value, "url"));
          }
        }
        case DELETE_SUBJECT, NOOP -> {}
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Skipping a malformed record of the schemas topic: {}", e.toString());
    }
  }

  private void applySchema(LogRecords.Key k, byte[] value) throws IOException {
    if (value == null) {
      TreeMap<Integer, StoredSchema> versions = subjects.get(k.subject());
      if (versions != null) {
        StoredSchema removed = versions.remove(k.number());
        if (versions.isEmpty()) {
          subjects.remove(k.subject());
        }
        if (removed != null) {
          forgetIdIfUnused(removed);
        }
      }
      refreshLiveIds(k.subject());
      return;
    }
    StoredSchema s = LogRecords.schema(value);
    subjects.computeIfAbsent(s.subject(), x -> new TreeMap<>()).put(s.version(), s);
    byId.putIfAbsent(s.id(), s);
    idByContent.putIfAbsent(s.contentKey(), s.id());
    maxId = Math.max(maxId, s.id());
    refreshLiveIds(s.subject());
  }

  private void forgetIdIfUnused(StoredSchema removed) {
    for (TreeMap<Integer, StoredSchema> versions : subjects.values()) {
      for (StoredSchema s : versions.values()) {
        if (s.id() == removed.id()) {
          byId.put(s.id(), s);
          return;
        }
      }
    }
    byId.remove(removed.id());
    idByContent.remove(removed.contentKey());
  }

  private void refreshLiveIds(String subject) {
    TreeMap<Integer, StoredSchema> versions = subjects.get(subject);
    if (versions == null) {
      liveIds.remove(subject);
      return;
    }
    int[] ids =
        versions.values().stream()
            .filter(s -> !s.deleted())
            .mapToInt(StoredSchema::id)
            .sorted()
            .distinct()
            .toArray();
    liveIds.put(subject, ids);
  }

  private static void put(Map<String, String> map, String subject, byte[] value, String field)
      throws IOException {
    String key = subject == null ? "" : subject;
    if (value == null) {
      map.remove(key);
    } else {
      map.put(key, LogRecords.field(value, field));
    }
  }

  /** Whether schema {@code id} is a live version of {@code subject}; lock- and allocation-free. */
  public boolean isRegistered(String subject, int id) {
    int[] ids = liveIds.get(subject);
    return ids != null && Arrays.binarySearch(ids, id) >= 0;
  }

  /** Every version of the subject, deleted ones included, by version; empty if unknown. */
  public synchronized List<StoredSchema> versions(String subject) {
    TreeMap<Integer, StoredSchema> v = subjects.get(subject);
    return v == null ? List.of() : new ArrayList<>(v.values());
  }

  public synchronized List<String> subjects() {
    return new ArrayList<>(subjects.keySet());
  }

  public synchronized Optional<StoredSchema> byId(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  public synchronized Optional<Integer> idOf(String contentKey) {
    return Optional.ofNullable(idByContent.get(contentKey));
  }

  /** Every version (of any subject, deleted or not) with schema id {@code id}. */
  public synchronized List<StoredSchema> usesOf(int id) {
    List<StoredSchema> out = new ArrayList<>();
    for (TreeMap<Integer, StoredSchema> versions : subjects.values()) {
      for (StoredSchema s : versions.values()) {
        if (s.id() == id) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Every live version that references {@code subject} version {@code version}. */
  public synchronized List<StoredSchema> referencing(String subject, int version) {
    List<StoredSchema> out = new ArrayList<>();
    for (TreeMap<Integer, StoredSchema> versions : subjects.values()) {
      for (StoredSchema s : versions.values()) {
        if (!s.deleted()
            && s.references().stream()
                .anyMatch(r -> r.subject().equals(subject) && r.version() == version)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  public synchronized int maxId() {
    return maxId;
  }

  /** The subject's compatibility level, or the global one for a null subject; null if unset. */
  public synchronized String config(String subject) {
    return configs.get(subject == null ? "" : subject);
  }

  public synchronized String mode(String subject) {
    return modes.get(subject == null ? "" : subject);
  }

  public synchronized Optional<String> nodeUrl(int brokerId) {
    return Optional.ofNullable(nodes.get(brokerId));
  }
}
