package dev.ferry.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log directory per broker that a test can fill up: each is a tmpfs of its own (root and {@code
 * mount} needed; {@link #create} says why not when they are missing), and {@link #fill} writes a
 * ballast file until the filesystem refuses more — a real ENOSPC for every write and allocation of
 * that broker, including its memory-mapped index pages — while the other brokers' disks keep their
 * space. {@link #free} deletes the ballast: the space returns, as when an operator cleans up.
 */
final class FullDisks implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FullDisks.class);

  private final List<Path> mounts;

  private FullDisks(List<Path> mounts) {
    this.mounts = mounts;
  }

  /**
   * Mounts a tmpfs of {@code megabytes} at each of {@code dirs} (created if missing).
   *
   * @return the disks, or why they cannot be made here
   */
  static Result create(List<Path> dirs, int megabytes) {
    List<Path> mounted = new ArrayList<>();
    try {
      for (Path d : dirs) {
        Files.createDirectories(d);
        run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", d.toString());
        mounted.add(d);
      }
      return new Result(Optional.of(new FullDisks(mounted)), null);
    } catch (IOException e) {
      new FullDisks(mounted).close();
      return new Result(Optional.empty(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      new FullDisks(mounted).close();
      return new Result(Optional.empty(), "interrupted");
    }
  }

  /** Disks, or the reason there are none. */
  record Result(Optional<FullDisks> disks, String whyNot) {}

  /** Fills disk {@code index} to the last byte; returns the ballast's size. */
  long fill(int index) throws IOException {
    Path ballast = ballast(index);
    long written = 0;
    // Big chunks first, then small ones for the remainder: a broker writing meanwhile takes some.
    for (int chunk : new int[] {1 << 20, 4096, 512}) {
      byte[] bytes = new byte[chunk];
      try (OutputStream out =
          Files.newOutputStream(ballast, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        while (true) {
          out.write(bytes);
          out.flush();
          written += chunk;
        }
      } catch (IOException full) {
        // No space left for a chunk of this size.
      }
    }
    return written;
  }

  /** Gives disk {@code index} its space back. */
  void free(int index) throws IOException {
    Files.deleteIfExists(ballast(index));
  }

  /** Free bytes on disk {@code index}. */
  long usable(int index) throws IOException {
    return Files.getFileStore(mounts.get(index)).getUsableSpace();
  }

  private Path ballast(int index) {
    return mounts.get(index).resolve("ballast");
  }

  /** Unmounts (lazily: a broker that outlived the test may still hold files). */
  @Override
  public void close() {
    for (Path d : mounts) {
      try {
        run("umount", "-l", d.toString());
      } catch (IOException e) {
        log.warn("Could not unmount {}: {}", d, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within 30 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }
}
