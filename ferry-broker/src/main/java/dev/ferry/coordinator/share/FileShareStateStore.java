package dev.ferry.coordinator.share;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;

/**
 * Share-partition state in files, one per share-partition, in a {@code .share-group-state}
 * directory of the broker's first log directory. A write goes to a temporary file, is fsynced and
 * renamed over the previous one (and the directory fsynced), so a crash leaves either the old or
 * the new state, never a torn one; a CRC32C guards the contents.
 *
 * <p>This survives a broker restart. It is local to the leader's disk: unlike Kafka's replicated
 * {@code __share_group_state} topic it does not move with leadership, so after a failover the new
 * leader starts the share-partition afresh (see docs/architecture.md).
 */
public final class FileShareStateStore implements ShareStateStore {

  /** The directory in the first log dir (hidden, so the log manager does not take it for a log). */
  public static final String DIRECTORY = ".share-group-state";

  private static final int VERSION = 1;

  private final Path dir;

  public FileShareStateStore(Path logDir) throws IOException {
    this.dir = logDir.resolve(DIRECTORY);
    Files.createDirectories(dir);
  }

  private Path file(SharePartitionKey key) {
    return dir.resolve(
        prefix(key.groupId())
            + key.partition().topicId()
            + "-"
            + key.partition().partition()
            + SUFFIX);
  }

  private static final String SUFFIX = ".state";

  /** File names start with the group id in hex (no '-' in it) and a '-'. */
  private static String prefix(String groupId) {
    return HexFormat.of().formatHex(groupId.getBytes(StandardCharsets.UTF_8)) + "-";
  }

  @Override
  public void delete(SharePartitionKey key) throws IOException {
    Files.deleteIfExists(file(key));
  }

  @Override
  public List<SharePartitionKey> keys(String groupId) throws IOException {
    String prefix = prefix(groupId);
    List<SharePartitionKey> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*" + SUFFIX)) {
      for (Path f : files) {
        // <group hex>-<topic id>-<partition>.state; a topic id may itself contain '-'.
        String name = f.getFileName().toString();
        String middle = name.substring(prefix.length(), name.length() - SUFFIX.length());
        int dash = middle.lastIndexOf('-');
        if (dash <= 0) {
          continue;
        }
        try {
          Uuid topicId = Uuid.fromString(middle.substring(0, dash));
          int partition = Integer.parseInt(middle.substring(dash + 1));
          out.add(new SharePartitionKey(groupId, new TopicIdPartition(topicId, partition, "")));
        } catch (IllegalArgumentException e) {
          // not a state file of ours
        }
      }
    }
    return out;
  }

  @Override
  public Optional<ShareStateSnapshot> read(SharePartitionKey key) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file(key));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length < 8) {
      throw new IOException("Truncated share state " + file(key));
    }
    long expected = Integer.toUnsignedLong(buf.getInt(bytes.length - 4));
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if (crc.getValue() != expected) {
      throw new IOException("Corrupt share state " + file(key));
    }
    try (DataInputStream in =
        new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException("Unknown share state version " + version + " in " + file(key));
      }
      long start = in.readLong();
      int n = in.readInt();
      List<ShareStateSnapshot.Run> runs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        runs.add(
            new ShareStateSnapshot.Run(
                in.readLong(), in.readLong(), in.readByte(), in.readShort()));
      }
      return Optional.of(new ShareStateSnapshot(start, runs));
    }
  }

  @Override
  public void write(SharePartitionKey key, ShareStateSnapshot state) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + state.runs().size() * 19);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(VERSION);
      out.writeLong(state.startOffset());
      out.writeInt(state.runs().size());
      for (ShareStateSnapshot.Run r : state.runs()) {
        out.writeLong(r.first());
        out.writeLong(r.last());
        out.writeByte(r.state());
        out.writeShort(r.deliveryCount());
      }
      CRC32C crc = new CRC32C();
      byte[] body = bytes.toByteArray();
      crc.update(body, 0, body.length);
      out.writeInt((int) crc.getValue());
    }
    Path target = file(key);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    }
  }
}
