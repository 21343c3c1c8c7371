package dev.ferry.storage.producer;

import dev.ferry.storage.producer.ProducerStateManager.BatchMetadata;
import dev.ferry.storage.producer.ProducerStateManager.ProducerEntry;
import dev.ferry.storage.segment.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-state snapshot files of one partition directory: {@code <offset>.snapshot}, the
 * state of every batch below that offset. Layout (big-endian): version (2), CRC-32C of everything
 * after the CRC field (4), producer count (4); per producer its id (8), epoch (2), open
 * transaction's first offset (8) and last marker's coordinator epoch (4) — both absent in version 1
 * — and its cached batches, each first and last sequence (4 + 4), first and last offset (8 + 8) and
 * max timestamp (8).
 *
 * <p>Only the file format and the directory listing live here; which snapshot to load and what to
 * replay after it is {@link ProducerStateManager}'s.
 */
final class ProducerSnapshots {

  private static final Logger log = LoggerFactory.getLogger(ProducerSnapshots.class);

  static final String SUFFIX = ".snapshot";
  private static final short VERSION = 2;
  private static final short VERSION_WITHOUT_TXNS = 1;
  private static final int HEADER = 2 + 4 + 4; // version, crc, count
  private static final int BATCH_ENTRY = 4 + 4 + 8 + 8 + 8;
  private static final int PRODUCER_ENTRY = 8 + 2 + 4 + 8 + 4;

  private ProducerSnapshots() {}

  static Path file(Path dir, long offset) {
    return dir.resolve(SegmentFiles.fileName(offset, SUFFIX));
  }

  /** Writes {@code producers} as {@code <offset>.snapshot} (temp file, fsync, atomic rename). */
  static void write(Path dir, long offset, Collection<ProducerEntry> producers) throws IOException {
    int size = HEADER;
    for (ProducerEntry e : producers) {
      size += PRODUCER_ENTRY + e.batches.size() * BATCH_ENTRY;
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putShort(VERSION);
    buf.putInt(0); // CRC placeholder
    buf.putInt(producers.size());
    for (ProducerEntry e : producers) {
      buf.putLong(e.producerId);
      buf.putShort(e.epoch);
      buf.putLong(e.currentTxnFirstOffset);
      buf.putInt(e.coordinatorEpoch);
      buf.putInt(e.batches.size());
      for (BatchMetadata b : e.batches) {
        buf.putInt(b.firstSeq());
        buf.putInt(b.lastSeq());
        buf.putLong(b.firstOffset());
        buf.putLong(b.lastOffset());
        buf.putLong(b.timestamp());
      }
    }
    buf.flip();
    // Crc32C offsets are relative to the buffer's position, which flip() reset to 0.
    buf.putInt(2, (int) Crc32C.compute(buf, 6, size - 6));
    Path target = file(dir, offset);
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Snapshot files present, by offset. */
  static TreeMap<Long, Path> list(Path dir) throws IOException {
    TreeMap<Long, Path> result = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        try {
          result.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), p);
        } catch (NumberFormatException e) {
          log.warn("Ignoring unexpected file {}", p);
        }
      }
    }
    return result;
  }

  /**
   * The producers stored in {@code file}.
   *
   * @throws IOException the file is short, of an unknown version or fails its CRC
   */
  static List<ProducerEntry> read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
    if (buf.remaining() < HEADER) {
      throw new IOException("snapshot too short");
    }
    long computed = Crc32C.compute(buf, 6, buf.limit() - 6); // before reading moves position
    short version = buf.getShort();
    if (version != VERSION && version != VERSION_WITHOUT_TXNS) {
      throw new IOException("unknown snapshot version " + version);
    }
    long stored = Integer.toUnsignedLong(buf.getInt());
    if (stored != computed) {
      throw new IOException("snapshot CRC mismatch");
    }
    int count = buf.getInt();
    List<ProducerEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long pid = buf.getLong();
      short epoch = buf.getShort();
      long txnFirstOffset = -1;
      int coordinatorEpoch = -1;
      if (version >= VERSION) {
        txnFirstOffset = buf.getLong();
        coordinatorEpoch = buf.getInt();
      }
      int n = buf.getInt();
      ProducerEntry entry = new ProducerEntry(pid, epoch);
      entry.coordinatorEpoch = coordinatorEpoch;
      if (txnFirstOffset >= 0) {
        entry.currentTxnFirstOffset = txnFirstOffset;
      }
      for (int j = 0; j < n; j++) {
        entry.batches.addLast(
            new BatchMetadata(
                buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong(), buf.getLong()));
      }
      entries.add(entry);
    }
    return entries;
  }

  /** Deletes snapshots taken after {@code offset} (the log was truncated below them). */
  static void deleteAbove(Path dir, long offset) throws IOException {
    for (Path p : list(dir).tailMap(offset, false).values()) {
      Files.deleteIfExists(p);
    }
  }

  /** Deletes snapshots older than {@code offset}, always keeping the newest one. */
  static void deleteBelow(Path dir, long offset) throws IOException {
    TreeMap<Long, Path> snapshots = list(dir);
    if (snapshots.isEmpty()) {
      return;
    }
    Long newest = snapshots.lastKey();
    Iterator<Map.Entry<Long, Path>> it = snapshots.headMap(offset, false).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Path> e = it.next();
      if (!e.getKey().equals(newest)) {
        Files.deleteIfExists(e.getValue());
      }
    }
  }
}
