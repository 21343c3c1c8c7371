package dev.ferry.storage.segment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one log by base offset, and the lookups on them. Never empty once loaded: the
 * last segment is the active one.
 *
 * <p>Changes (put, remove, clear) come from the owning log under its lock; lookups run on any
 * thread without locks (a concurrent skip-list map), so a read may see a segment that a concurrent
 * truncation or retention is removing: its files stay readable until their deletion is due.
 */
public final class LogSegments {

  private final ConcurrentSkipListMap<Long, LogSegment> segments;

  public LogSegments(ConcurrentSkipListMap<Long, LogSegment> segments) {
    this.segments = segments;
  }

  /** The segment appends go to: the one with the highest base offset. */
  public LogSegment active() {
    return segments.lastEntry().getValue();
  }

  public long firstBaseOffset() {
    return segments.firstKey();
  }

  /** Base offset of the segment after the one at {@code baseOffset}, or null if it is the last. */
  public Long higherBaseOffset(long baseOffset) {
    return segments.higherKey(baseOffset);
  }

  /** The segment holding {@code offset} (the last one starting at or before it), or null. */
  public LogSegment floor(long offset) {
    Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
    return e == null ? null : e.getValue();
  }

  /** The segment after {@code segment}, or null if it is the last. */
  public LogSegment next(LogSegment segment) {
    Map.Entry<Long, LogSegment> e = segments.higherEntry(segment.baseOffset());
    return e == null ? null : e.getValue();
  }

  public LogSegment get(long baseOffset) {
    return segments.get(baseOffset);
  }

  public void put(LogSegment segment) {
    segments.put(segment.baseOffset(), segment);
  }

  public void remove(LogSegment segment) {
    segments.remove(segment.baseOffset(), segment);
  }

  public void removeAt(long baseOffset) {
    segments.remove(baseOffset);
  }

  public void clear() {
    segments.clear();
  }

  /** Live view of every segment, oldest first. */
  public Collection<LogSegment> all() {
    return segments.values();
  }

  /** A copy of the segment list, oldest first (stable while the caller works through it). */
  public List<LogSegment> snapshot() {
    return new ArrayList<>(segments.values());
  }

  /** Live view from the segment holding {@code offset} to the active one. */
  public Collection<LogSegment> from(long offset) {
    Long floor = segments.floorKey(offset);
    return segments.tailMap(floor == null ? segments.firstKey() : floor, true).values();
  }

  /** Live view of the segments whose base offset is above {@code offset}. */
  public Collection<LogSegment> startingAbove(long offset) {
    return segments.tailMap(offset, false).values();
  }

  /** Live view of the segments whose base offset is below {@code offset}. */
  public Collection<LogSegment> startingBelow(long offset) {
    return segments.headMap(offset, false).values();
  }

  public int count() {
    return segments.size();
  }

  /** Base offsets, oldest first. */
  public List<Long> baseOffsets() {
    return new ArrayList<>(segments.keySet());
  }

  /** Total bytes of all segments. */
  public long sizeInBytes() {
    long total = 0;
    for (LogSegment s : segments.values()) {
      total += s.sizeInBytes();
    }
    return total;
  }
}
