package dev.ferry.storage.txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aborted transactions whose ABORT marker lies in one segment: the segment's {@code .txnindex}
 * file, in Kafka's layout (per entry: version, producer id, first offset, last offset, last stable
 * offset; 34 bytes, big-endian), plus the same entries in memory — aborts are rare, so the list is
 * small and a read_committed fetch does not touch the disk for it.
 *
 * <p>The file is created on the first entry. Not thread-safe for writers (the log's append lock);
 * readers get a copy-on-write snapshot of the list.
 */
public final class TransactionIndex {

  private static final Logger log = LoggerFactory.getLogger(TransactionIndex.class);
  public static final String SUFFIX = ".txnindex";
  static final int ENTRY_SIZE = 2 + 8 + 8 + 8 + 8;
  private static final short VERSION = 0;

  private Path file;
  private volatile List<AbortedTxn> entries = List.of();

  public TransactionIndex(Path file) {
    this.file = file;
  }

  /** Reads the file if present; a torn last entry (crash mid-write) is cut off. */
  public static TransactionIndex open(Path file) throws IOException {
    TransactionIndex index = new TransactionIndex(file);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return index;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    List<AbortedTxn> list = new ArrayList<>(bytes.length / ENTRY_SIZE);
    while (b.remaining() >= ENTRY_SIZE) {
      short version = b.getShort();
      AbortedTxn t = new AbortedTxn(b.getLong(), b.getLong(), b.getLong(), b.getLong());
      if (version != VERSION) {
        log.warn("Ignoring the rest of {}: unknown entry version {}", file, version);
        break;
      }
      list.add(t);
    }
    index.entries = List.copyOf(list);
    if (bytes.length != list.size() * ENTRY_SIZE) {
      index.rewrite();
    }
    return index;
  }

  public Path file() {
    return file;
  }

  public List<AbortedTxn> entries() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Appends an entry (written to the file before it is visible to readers). */
  public void append(AbortedTxn t) throws IOException {
    ByteBuffer b = encode(List.of(t));
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
    List<AbortedTxn> next = new ArrayList<>(entries);
    next.add(t);
    entries = List.copyOf(next);
  }

  /**
   * Aborted transactions that overlap [fetchOffset, upperBound): marker at or after the fetch
   * offset, first batch before the bound.
   */
  public void collect(long fetchOffset, long upperBound, List<AbortedTxn> out) {
    for (AbortedTxn t : entries) {
      if (t.lastOffset() >= fetchOffset && t.firstOffset() < upperBound) {
        out.add(t);
      }
    }
  }

  /** Drops entries whose marker is at or after {@code offset} (log truncation, re-scan). */
  public void truncateTo(long offset) throws IOException {
    List<AbortedTxn> kept = new ArrayList<>();
    for (AbortedTxn t : entries) {
      if (t.lastOffset() < offset) {
        kept.add(t);
      }
    }
    if (kept.size() != entries.size()) {
      entries = List.copyOf(kept);
      rewrite();
    }
  }

  public void flush() throws IOException {
    if (Files.exists(file)) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    }
  }

  /** Follows its segment when the segment's files are renamed (swap, deletion suffix). */
  public void renameTo(Path target) throws IOException {
    if (Files.exists(file)) {
      Files.move(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    file = target;
  }

  public void deleteIfExists() throws IOException {
    Files.deleteIfExists(file);
  }

  private void rewrite() throws IOException {
    if (entries.isEmpty()) {
      Files.deleteIfExists(file);
      return;
    }
    ByteBuffer b = encode(entries);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  private static ByteBuffer encode(List<AbortedTxn> list) {
    ByteBuffer b = ByteBuffer.allocate(list.size() * ENTRY_SIZE);
    for (AbortedTxn t : list) {
      b.putShort(VERSION)
          .putLong(t.producerId())
          .putLong(t.firstOffset())
          .putLong(t.lastOffset())
          .putLong(t.lastStableOffset());
    }
    return b.flip();
  }
}
