package dev.ferry.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A ledger on disk: the run's description, then one line per event, appended with a write system
 * call before the event is counted, so the file holds every acknowledgement the producing process
 * reported even if that process is killed. Text, so that an operator can read it:
 *
 * <pre>
 * ferry-verify-ledger 1
 * run RUN_ID topic TOPIC partitions N producers N transactional true|false
 * R producer seqEnd               sequence numbers below seqEnd may be sent
 * A producer seq partition offset acknowledged (offset -1: acknowledged without an offset)
 * X producer seq                  in a transaction that was aborted
 * S producer sent                 the producer stopped after sending this many records
 * </pre>
 */
public final class LedgerFile implements AckJournal, AutoCloseable {

  private static final String MAGIC = "ferry-verify-ledger 1";

  /** What a ledger says about its run. */
  public record Header(
      String runId, String topic, int partitions, int producers, boolean transactional) {}

  /** A ledger read back: the run and one {@link AckLedger} per producer. */
  public record Contents(Header header, AckLedger[] ledgers) {}

  private final FileChannel channel;

  private LedgerFile(FileChannel channel) {
    this.channel = channel;
  }

  /** Creates {@code file} (it must not exist) and writes the header. */
  public static LedgerFile create(Path file, Header header) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    LedgerFile ledger = new LedgerFile(channel);
    ledger.write(
        MAGIC
            + "\nrun "
            + header.runId()
            + " topic "
            + header.topic()
            + " partitions "
            + header.partitions()
            + " producers "
            + header.producers()
            + " transactional "
            + header.transactional()
            + "\n");
    return ledger;
  }

  @Override
  public void reserve(int producer, long seqEnd) {
    write("R " + producer + " " + seqEnd + "\n");
  }

  @Override
  public void acknowledged(int producer, long seq, int partition, long offset) {
    write("A " + producer + " " + seq + " " + partition + " " + offset + "\n");
  }

  @Override
  public void aborted(int producer, long seq) {
    write("X " + producer + " " + seq + "\n");
  }

  @Override
  public void finished(int producer, long sent) {
    write("S " + producer + " " + sent + "\n");
  }

  private synchronized void write(String line) {
    ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the ledger", e);
    }
  }

  /** Forces the file to disk and closes it. */
  @Override
  public synchronized void close() throws IOException {
    try {
      channel.force(true);
    } finally {
      channel.close();
    }
  }

  /**
   * Reads a ledger. A last line cut short (the producing process died mid-write) is ignored; any
   * other malformed line is an error.
   */
  public static Contents read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      if (!MAGIC.equals(in.readLine())) {
        throw new IOException(file + " is not a ferry verify ledger");
      }
      String[] run = split(in.readLine(), 10, file);
      Header header =
          new Header(
              run[1],
              run[3],
              Integer.parseInt(run[5]),
              Integer.parseInt(run[7]),
              Boolean.parseBoolean(run[9]));
      AckLedger[] ledgers = new AckLedger[header.producers()];
      for (int i = 0; i < ledgers.length; i++) {
        ledgers[i] = new AckLedger();
      }
      String line;
      String pending = null;
      while ((line = in.readLine()) != null) {
        if (pending != null) {
          throw new IOException("Malformed ledger line in " + file + ": " + pending);
        }
        if (!apply(line, ledgers)) {
          pending = line;
        }
      }
      return new Contents(header, ledgers);
    }
  }

  private static boolean apply(String line, AckLedger[] ledgers) {
    String[] f = line.split(" ");
    try {
      switch (f[0]) {
        case "R" -> {
          if (f.length != 3) {
            return false;
          }
          ledgers[Integer.parseInt(f[1])].reserve(Long.parseLong(f[2]));
        }
        case "A" -> {
          if (f.length != 5) {
            return false;
          }
          ledgers[Integer.parseInt(f[1])].acknowledged(
              Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]));
        }
        case "S" -> {
          if (f.length != 3) {
            return false;
          }
          ledgers[Integer.parseInt(f[1])].sentTotal(Long.parseLong(f[2]));
        }
        case "X" -> {
          if (f.length != 3) {
            return false;
          }
          ledgers[Integer.parseInt(f[1])].aborted(Long.parseLong(f[2]));
        }
        default -> {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String[] split(String line, int fields, Path file) throws IOException {
    String[] f = line == null ? new String[0] : line.split(" ");
    if (f.length != fields || !f[0].equals("run")) {
      throw new IOException("Malformed ledger header in " + file + ": " + line);
    }
    return f;
  }
}
