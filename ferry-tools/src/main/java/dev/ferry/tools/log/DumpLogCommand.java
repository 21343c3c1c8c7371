package dev.ferry.tools.log;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.OutputOptions;
import dev.ferry.tools.common.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry dump-log}: what segment files hold, batch by batch or record by record, read
 * straight from disk — a stopped broker's data, a damaged file, a copy taken for a bug report.
 * Every batch's CRC is checked; any damage makes the exit code 1.
 */
@Command(
    name = "dump-log",
    mixinStandardHelpOptions = true,
    description =
        "Print the record batches of log segment files, or of every segment of a partition"
            + " directory: offsets, leader epoch, producer id/epoch/sequence, compression, CRC"
            + " check. Reads the files directly, read-only; exit code 1 if any is damaged.")
public final class DumpLogCommand implements Callable<Integer> {

  private static final int PREVIEW_CHARS = 60;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Segment files (*.log) or partition directories.")
  List<Path> paths;

  @Option(
      names = {"-r", "--records"},
      description = "Also print every record: offset, timestamp, key, value, header count.")
  boolean records;

  @Mixin OutputOptions output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    boolean damaged = false;
    for (Path path : paths) {
      List<Path> files;
      try {
        files = segmentFiles(path);
      } catch (IOException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("ferry: error: cannot read " + path + ": " + e.getMessage());
        err.flush();
        return 1;
      }
      for (Path file : files) {
        SegmentFileScan scan = output.json() ? dumpJson(out, file) : dumpText(out, file);
        damaged |= scan.damage() != null;
      }
    }
    out.flush();
    return damaged ? 1 : 0;
  }

  /** {@code path} itself if a file, else its {@code *.log} files in offset order. */
  private static List<Path> segmentFiles(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IOException("no such file or directory");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> logs = Files.newDirectoryStream(path, "*.log")) {
      logs.forEach(files::add);
    }
    // Segment names are zero-padded base offsets: name order is offset order.
    files.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return files;
  }

  /**
   * A table of batches, or with {@code --records} one line per batch followed by its records
   * (streamed: a large file is not held in memory).
   */
  private SegmentFileScan dumpText(PrintWriter out, Path file) {
    out.println(file);
    Table batches =
        new Table(
            "BASE-OFFSET",
            "LAST-OFFSET",
            "COUNT",
            "POSITION",
            "SIZE",
            "LEADER-EPOCH",
            "PRODUCER",
            "SEQUENCE",
            "COMPRESSION",
            "MAX-TIMESTAMP",
            "CRC");
    SegmentFileScan scan =
        SegmentFileScan.of(
            file,
            (b, valid) -> {
              if (!records) {
                batches.row(
                    b.baseOffset(),
                    b.lastOffset(),
                    b.countOrNull(),
                    b.position(),
                    b.sizeInBytes(),
                    b.partitionLeaderEpoch(),
                    b.hasProducerId() ? b.producerId() + "/" + b.producerEpoch() : null,
                    b.hasProducerId() ? b.baseSequence() + ".." + b.lastSequence() : null,
                    b.compressionType().name,
                    b.maxTimestamp(),
                    valid ? "ok" : "BAD");
                return;
              }
              out.printf(
                  "batch %d..%d position %d size %d leader-epoch %d producer %s crc %s%n",
                  b.baseOffset(),
                  b.lastOffset(),
                  b.position(),
                  b.sizeInBytes(),
                  b.partitionLeaderEpoch(),
                  b.hasProducerId()
                      ? b.producerId() + "/" + b.producerEpoch() + " seq " + b.baseSequence()
                      : "-",
                  valid ? "ok" : "BAD");
              if (valid) {
                for (Record r : b) {
                  out.printf(
                      "  offset %d timestamp %d key %s value %s headers %d%n",
                      r.offset(),
                      r.timestamp(),
                      preview(r.key()),
                      preview(r.value()),
                      r.headers().length);
                }
              }
            });
    if (!records) {
      batches.print(out);
    }
    out.println(scan.summary());
    return scan;
  }

  /** JSON Lines: one object per batch (with its records if asked), then one for the file. */
  private SegmentFileScan dumpJson(PrintWriter out, Path file) {
    SegmentFileScan scan =
        SegmentFileScan.of(
            file,
            (b, valid) -> {
              ObjectNode n = batchJson(file, b, valid);
              if (records && valid) {
                ArrayNode rs = n.putArray("records");
                for (Record r : b) {
                  ObjectNode rn = rs.addObject();
                  rn.put("offset", r.offset());
                  rn.put("timestamp", r.timestamp());
                  rn.put("key", text(r.key()));
                  rn.put("value", text(r.value()));
                  rn.put("headers", r.headers().length);
                }
              }
              Json.printLine(out, n);
            });
    ObjectNode summary = Json.object();
    summary.put("file", file.toString());
    summary.put("bytes", scan.fileBytes());
    summary.put("batches", scan.batches());
    summary.put("records", scan.records());
    summary.put("damage", scan.damage());
    Json.printLine(out, summary);
    return scan;
  }

  private static ObjectNode batchJson(Path file, FileChannelRecordBatch b, boolean valid) {
    ObjectNode n = Json.object();
    n.put("file", file.toString());
    n.put("baseOffset", b.baseOffset());
    n.put("lastOffset", b.lastOffset());
    n.put("count", b.countOrNull());
    n.put("position", b.position());
    n.put("size", b.sizeInBytes());
    n.put("leaderEpoch", b.partitionLeaderEpoch());
    n.put("producerId", b.producerId());
    n.put("producerEpoch", b.producerEpoch());
    n.put("baseSequence", b.baseSequence());
    n.put("compression", b.compressionType().name);
    n.put("timestampType", b.timestampType().toString());
    n.put("maxTimestamp", b.maxTimestamp());
    n.put("crcValid", valid);
    return n;
  }

  /** A key or value as text, shortened. */
  static String preview(ByteBuffer bytes) {
    String s = text(bytes);
    if (s == null || s.length() <= PREVIEW_CHARS) {
      return s;
    }
    return s.substring(0, PREVIEW_CHARS) + "…(" + bytes.remaining() + " bytes)";
  }

  /** UTF-8 text with control characters escaped, {@code <N bytes>} for binary data, or null. */
  static String text(ByteBuffer bytes) {
    if (bytes == null) {
      return null;
    }
    byte[] b = new byte[bytes.remaining()];
    bytes.duplicate().get(b);
    String s = new String(b, StandardCharsets.UTF_8);
    if (s.indexOf('\uFFFD') >= 0) {
      return "<" + b.length + " bytes>";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
