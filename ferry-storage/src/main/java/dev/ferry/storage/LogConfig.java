package dev.ferry.storage;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-partition log settings, named after Kafka's topic-level configs ({@code segment.bytes},
 * {@code retention.ms}, ...). Immutable: a config change builds a new object with {@link #with}.
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    int segmentIndexBytes,
    int indexIntervalBytes,
    long retentionMs,
    long retentionBytes,
    long flushMessages,
    long flushMs,
    int maxMessageBytes,
    boolean logAppendTime,
    String cleanupPolicy,
    long fileDeleteDelayMs,
    double minCleanableDirtyRatio,
    long minCompactionLagMs,
    long maxCompactionLagMs,
    long deleteRetentionMs) {

  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String SEGMENT_MS = "segment.ms";
  public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
  public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String FLUSH_MESSAGES = "flush.messages";
  public static final String FLUSH_MS = "flush.ms";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
  public static final String CLEANUP_POLICY = "cleanup.policy";
  public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
  public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
  public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
  public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
  public static final String DELETE_RETENTION_MS = "delete.retention.ms";

  /** Kafka's defaults for every topic-level config, as the strings a user would write. */
  public static Map<String, String> defaultValues() {
    Map<String, String> m = new HashMap<>();
    m.put(SEGMENT_BYTES, String.valueOf(1024 * 1024 * 1024));
    m.put(SEGMENT_MS, String.valueOf(7L * 24 * 60 * 60 * 1000));
    m.put(SEGMENT_INDEX_BYTES, String.valueOf(10 * 1024 * 1024));
    m.put(INDEX_INTERVAL_BYTES, "4096");
    m.put(RETENTION_MS, String.valueOf(7L * 24 * 60 * 60 * 1000));
    m.put(RETENTION_BYTES, "-1");
    m.put(FLUSH_MESSAGES, String.valueOf(Long.MAX_VALUE));
    m.put(FLUSH_MS, String.valueOf(Long.MAX_VALUE));
    m.put(MAX_MESSAGE_BYTES, String.valueOf(1024 * 1024 + 12));
    m.put(MESSAGE_TIMESTAMP_TYPE, "CreateTime");
    m.put(CLEANUP_POLICY, "delete");
    m.put(FILE_DELETE_DELAY_MS, "60000");
    m.put(MIN_CLEANABLE_DIRTY_RATIO, "0.5");
    m.put(MIN_COMPACTION_LAG_MS, "0");
    m.put(MAX_COMPACTION_LAG_MS, String.valueOf(Long.MAX_VALUE));
    m.put(DELETE_RETENTION_MS, String.valueOf(24L * 60 * 60 * 1000));
    return m;
  }

  public static LogConfig defaults() {
    return fromMap(defaultValues());
  }

  /** Builds a config from a complete map of topic-level settings (see {@link #defaultValues}). */
  public static LogConfig fromMap(Map<String, String> m) {
    return new LogConfig(
        Integer.parseInt(m.get(SEGMENT_BYTES).trim()),
        Long.parseLong(m.get(SEGMENT_MS).trim()),
        Integer.parseInt(m.get(SEGMENT_INDEX_BYTES).trim()),
        Integer.parseInt(m.get(INDEX_INTERVAL_BYTES).trim()),
        Long.parseLong(m.get(RETENTION_MS).trim()),
        Long.parseLong(m.get(RETENTION_BYTES).trim()),
        Long.parseLong(m.get(FLUSH_MESSAGES).trim()),
        Long.parseLong(m.get(FLUSH_MS).trim()),
        Integer.parseInt(m.get(MAX_MESSAGE_BYTES).trim()),
        "LogAppendTime".equalsIgnoreCase(m.get(MESSAGE_TIMESTAMP_TYPE).trim()),
        m.get(CLEANUP_POLICY).trim(),
        Long.parseLong(m.get(FILE_DELETE_DELAY_MS).trim()),
        Double.parseDouble(m.get(MIN_CLEANABLE_DIRTY_RATIO).trim()),
        Long.parseLong(m.get(MIN_COMPACTION_LAG_MS).trim()),
        Long.parseLong(m.get(MAX_COMPACTION_LAG_MS).trim()),
        Long.parseLong(m.get(DELETE_RETENTION_MS).trim()));
  }

  /** This config as topic-level settings, the inverse of {@link #fromMap}. */
  public Map<String, String> toMap() {
    Map<String, String> m = new HashMap<>();
    m.put(SEGMENT_BYTES, String.valueOf(segmentBytes));
    m.put(SEGMENT_MS, String.valueOf(segmentMs));
    m.put(SEGMENT_INDEX_BYTES, String.valueOf(segmentIndexBytes));
    m.put(INDEX_INTERVAL_BYTES, String.valueOf(indexIntervalBytes));
    m.put(RETENTION_MS, String.valueOf(retentionMs));
    m.put(RETENTION_BYTES, String.valueOf(retentionBytes));
    m.put(FLUSH_MESSAGES, String.valueOf(flushMessages));
    m.put(FLUSH_MS, String.valueOf(flushMs));
    m.put(MAX_MESSAGE_BYTES, String.valueOf(maxMessageBytes));
    m.put(MESSAGE_TIMESTAMP_TYPE, logAppendTime ? "LogAppendTime" : "CreateTime");
    m.put(CLEANUP_POLICY, cleanupPolicy);
    m.put(FILE_DELETE_DELAY_MS, String.valueOf(fileDeleteDelayMs));
    m.put(MIN_CLEANABLE_DIRTY_RATIO, String.valueOf(minCleanableDirtyRatio));
    m.put(MIN_COMPACTION_LAG_MS, String.valueOf(minCompactionLagMs));
    m.put(MAX_COMPACTION_LAG_MS, String.valueOf(maxCompactionLagMs));
    m.put(DELETE_RETENTION_MS, String.valueOf(deleteRetentionMs));
    return m;
  }

  /**
   * Whether the log cleaner keeps only the latest record per key ({@code compact} in the policy).
   */
  public boolean compact() {
    return hasPolicy("compact");
  }

  /** Whether retention deletes old segments ({@code delete} in the policy). */
  public boolean delete() {
    return hasPolicy("delete");
  }

  /** Allocation-free (asked on every append): the policy is a list of these two words only. */
  private boolean hasPolicy(String policy) {
    return cleanupPolicy.contains(policy);
  }

  /**
   * This config with topic-level overrides applied. Keys that are not log settings are ignored; a
   * malformed value throws {@link NumberFormatException}.
   */
  public LogConfig with(Map<String, String> overrides) {
    Map<String, String> m = toMap();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (m.containsKey(e.getKey())) {
        m.put(e.getKey(), e.getValue());
      }
    }
    return fromMap(m);
  }
}
