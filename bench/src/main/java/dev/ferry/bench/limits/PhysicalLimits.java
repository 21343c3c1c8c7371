package dev.ferry.bench.limits;

import dev.ferry.bench.Progress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceilings any broker on this machine lives under, measured once per suite: loopback TCP
 * bandwidth, page-cache read bandwidth and direct (uncached) sequential write bandwidth. A broker
 * figure near one of these is bound by the machine, not by the broker.
 */
public final class PhysicalLimits {

  private static final int BUFFER = 1 << 20;
  private static final long LOOPBACK_SECONDS = 3;
  private static final long FILE_BYTES = 1L << 30;
  private static final long DD_TIMEOUT_SECONDS = 90;
  private static final Pattern DD_RATE = Pattern.compile("copied, ([0-9.,]+) s");

  private PhysicalLimits() {}

  /** Label → value text, in report order. Each probe that fails says why instead of a number. */
  public static Map<String, String> measure(Path scratchDir, Progress progress) {
    Map<String, String> limits = new LinkedHashMap<>();
    progress.say("physical limits: loopback TCP");
    limits.put(
        "Loopback TCP, one connection (Java, 1 MiB writes)", attempt(PhysicalLimits::loopback));
    progress.say("physical limits: page-cache read of a 1 GiB file");
    limits.put(
        "Page-cache read of a 1 GiB file (second read)", attempt(() -> pageCache(scratchDir)));
    progress.say("physical limits: direct sequential write (dd oflag=direct)");
    limits.put(
        "Sequential write, `dd bs=1M count=1024 oflag=direct`",
        attempt(() -> ddDirect(scratchDir)));
    return limits;
  }

  private interface Probe {
    String run() throws Exception;
  }

  private static String attempt(Probe probe) {
    try {
      return probe.run();
    } catch (Exception e) {
      return "n/a (" + e.getMessage() + ")";
    }
  }

  private static String loopback() throws IOException, InterruptedException {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      AtomicLong received = new AtomicLong();
      AtomicLong readerNanos = new AtomicLong();
      Thread reader =
          new Thread(
              () -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
                try (SocketChannel in = server.accept()) {
                  long start = System.nanoTime();
                  long n;
                  while ((n = in.read(buffer)) >= 0) {
                    received.addAndGet(n);
                    buffer.clear();
                  }
                  readerNanos.set(System.nanoTime() - start);
                } catch (IOException e) {
                  readerNanos.set(-1);
                }
              },
              "bench-loopback-reader");
      reader.setDaemon(true);
      reader.start();
      ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
      try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOOPBACK_SECONDS);
        while (System.nanoTime() < stopAt) {
          buffer.clear();
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
        }
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
      if (readerNanos.get() <= 0) {
        throw new IOException("reader failed");
      }
      return mbps(received.get(), readerNanos.get());
    }
  }

  private static String pageCache(Path dir) throws IOException {
    Path file = dir.resolve("pagecache-probe.bin");
    try {
      ByteBuffer block = ByteBuffer.allocateDirect(BUFFER);
      byte[] pattern = "ferry page cache probe ".getBytes(StandardCharsets.US_ASCII);
      while (block.hasRemaining()) {
        block.put(pattern, 0, Math.min(pattern.length, block.remaining()));
      }
      try (FileChannel ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        for (long written = 0; written < FILE_BYTES; ) {
          block.clear();
          written += ch.write(block);
        }
        ch.force(false);
      }
      readAll(file); // the first read makes sure every page is cached
      long start = System.nanoTime();
      long bytes = readAll(file);
      return mbps(bytes, System.nanoTime() - start);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static long readAll(Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    long total = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int n;
      while ((n = ch.read(buffer)) >= 0) {
        total += n;
        buffer.clear();
      }
    }
    return total;
  }

  private static String ddDirect(Path dir) throws IOException, InterruptedException {
    Path file = dir.resolve("dd-direct-probe.bin");
    try {
      Process dd =
          new ProcessBuilder(
                  "dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=1024", "oflag=direct")
              .redirectErrorStream(true)
              .start();
      if (!dd.waitFor(DD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        dd.destroyForcibly();
        throw new IOException("dd timed out after " + DD_TIMEOUT_SECONDS + " s");
      }
      String out = new String(dd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (dd.exitValue() != 0) {
        throw new IOException("dd: " + out.lines().reduce((a, b) -> b).orElse("failed"));
      }
      Matcher m = DD_RATE.matcher(out);
      if (!m.find()) {
        throw new IOException("unexpected dd output");
      }
      double seconds = Double.parseDouble(m.group(1).replace(',', '.'));
      return mbps(1024L << 20, (long) (seconds * 1e9));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static String mbps(long bytes, long nanos) {
    return String.format(Locale.ROOT, "%,.0f MB/s", bytes / 1e6 / (nanos / 1e9));
  }
}
