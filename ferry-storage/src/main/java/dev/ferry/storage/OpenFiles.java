package dev.ferry.storage;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's open file descriptors against its limit ({@code ulimit -n}, systemd's {@code
 * LimitNOFILE}). A log segment holds one descriptor (its {@code .log} file; indexes are mapped and
 * closed), so the limit bounds how many segments, hence partitions, a broker can host, minus its
 * connections.
 *
 * <p>Running out ({@code EMFILE}, "Too many open files") is not a disk failure: the broker refuses
 * what needs a new descriptor with a {@link KafkaStorageException} naming the limit, logs the cause
 * once, and carries on when descriptors are freed (the {@link #onHeadroom} listeners are told).
 * Counting the open descriptors lists {@code /proc/self/fd}: cheap enough for periodic checks and
 * admin requests, not for the produce path.
 */
public final class OpenFiles {

  private static final Logger log = LoggerFactory.getLogger(OpenFiles.class);

  /** Share of the limit in use at which the broker warns. */
  public static final double WARN_RATIO = 0.8;

  /** Descriptors kept free for connections and short-lived files when admitting new partitions. */
  static final int MIN_RESERVE = 64;

  private static final OpenFiles SYSTEM = new OpenFiles(OpenFiles::countOpen, OpenFiles::readLimit);

  private final LongSupplier open;
  private final LongSupplier limit;
  private final List<Runnable> headroomListeners = new CopyOnWriteArrayList<>();
  private boolean warned; // guarded by this
  private boolean exhausted; // guarded by this

  OpenFiles(LongSupplier open, LongSupplier limit) {
    this.open = open;
    this.limit = limit;
  }

  /** This JVM's descriptors. */
  public static OpenFiles system() {
    return SYSTEM;
  }

  /**
   * Open descriptors now, or -1 when the platform does not say. Counting needs a descriptor of its
   * own: with none left this reports the limit.
   */
  public long open() {
    long n = open.getAsLong();
    return n == AT_LIMIT ? limit() : n;
  }

  /** The soft limit on open descriptors, or -1 when the platform does not say. */
  public long limit() {
    return limit.getAsLong();
  }

  /** Whether {@code t} or one of its causes is the process running out of descriptors. */
  public static boolean isExhaustion(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && m.contains("Too many open files")) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** Descriptors kept free for connections when admitting partitions: 5 % of the limit, >= 64. */
  long reserve(long lim) {
    return Math.max(MIN_RESERVE, lim / 20);
  }

  /**
   * Refuses (with the numbers and the limit in the message) to add {@code newSegments} segments
   * when they would not fit under the limit less a reserve for connections. {@code what} names the
   * request, e.g. "create 1000 partitions of topic t".
   *
   * @throws KafkaStorageException not enough descriptors left
   */
  public void requireRoomFor(int newSegments, String what) {
    long lim = limit();
    long used = open();
    if (lim <= 0 || used < 0) {
      return;
    }
    long room = lim - reserve(lim) - used;
    if (newSegments > room) {
      throw new KafkaStorageException(
          "Cannot "
              + what
              + ": "
              + newSegments
              + " new segment file(s) needed but only "
              + Math.max(0, room)
              + " descriptor(s) left ("
              + used
              + " of the open-files limit "
              + lim
              + " in use, "
              + reserve(lim)
              + " kept for connections). Raise the limit (ulimit -n, systemd LimitNOFILE) or"
              + " delete topics; see docs/operations.md.");
    }
  }

  /**
   * Turns a failure to open a file into the error a client gets, and logs the cause with the
   * numbers the first time (again only after descriptors were freed in between).
   */
  public KafkaStorageException exhausted(String what, Throwable cause) {
    long lim = limit();
    long used = open();
    String message =
        "Cannot "
            + what
            + ": the broker has run out of file descriptors ("
            + used
            + " open, open-files limit "
            + lim
            + "). Raise the limit (ulimit -n, systemd LimitNOFILE) or delete topics.";
    boolean first;
    synchronized (this) {
      first = !exhausted;
      exhausted = true;
    }
    if (first) {
      log.error(
          "Out of file descriptors: {} open, limit {}. New partitions and segment rolls fail with"
              + " KAFKA_STORAGE_ERROR until descriptors are freed; nothing written so far is"
              + " affected and no log directory is taken offline. First failure: {}",
          used,
          lim,
          cause.toString());
    }
    return new KafkaStorageException(message, cause);
  }

  /** Calls {@code listener} (on the checking thread) when descriptors are free again. */
  public void onHeadroom(Runnable listener) {
    headroomListeners.add(listener);
  }

  /**
   * The periodic check: warns once when {@link #WARN_RATIO} of the limit is in use (again after
   * usage fell back), and after an exhaustion tells the listeners once usage is back below it.
   */
  public void check() {
    long lim = limit();
    long used = open();
    if (lim <= 0 || used < 0) {
      return;
    }
    boolean high = used >= lim * WARN_RATIO;
    boolean recovered = false;
    synchronized (this) {
      if (high && !warned) {
        warned = true;
        log.warn(
            "{} of the open-files limit {} are in use ({}%): each log segment holds one and each"
                + " connection one; raise the limit (ulimit -n, systemd LimitNOFILE) before it is"
                + " reached",
            used, lim, used * 100 / lim);
      } else if (!high && warned) {
        warned = false;
      }
      if (!high && exhausted) {
        exhausted = false;
        recovered = true;
      }
    }
    if (recovered) {
      log.info("File descriptors available again: {} of the limit {} in use", used, lim);
      for (Runnable r : headroomListeners) {
        r.run();
      }
    }
  }

  /**
   * The start-up line: descriptors in use against the limit and what the remainder allows at one
   * descriptor per segment.
   */
  public String capacitySummary(int partitions, int segments) {
    long lim = limit();
    long used = open();
    if (lim <= 0 || used < 0) {
      return "Open files: the platform does not report descriptor counts";
    }
    long room = Math.max(0, lim - reserve(lim) - used);
    return String.format(
        "Open files: %d of the limit %d in use; %d partition(s) with %d segment(s) hold one"
            + " descriptor per segment, so the limit allows about %d more segments (as many"
            + " single-segment partitions), keeping %d for connections",
        used, lim, partitions, segments, room, reserve(lim));
  }

  /** What the counter returns when it cannot open /proc/self/fd: no descriptor left. */
  static final long AT_LIMIT = -2;

  /**
   * Linux's view of this process's descriptors, read directly: the JDK's operating-system MXBean
   * gives the same numbers, but its first use sets up the JMX platform and the container metrics,
   * tens of milliseconds of every broker's start-up (it is kept as the fallback elsewhere).
   */
  private static final File PROC_FDS = new File("/proc/self/fd");

  private static final Path PROC_LIMITS = Path.of("/proc/self/limits");
  private static final String LIMIT_LINE = "Max open files";

  private static long countOpen() {
    if (PROC_FDS.isDirectory()) {
      String[] fds = PROC_FDS.list();
      // null: the directory could not be opened, which on /proc means no descriptor was left.
      // Listing it holds one descriptor of its own, not counted (as the MXBean does).
      return fds == null ? AT_LIMIT : fds.length - 1;
    }
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (!(os instanceof UnixOperatingSystemMXBean unix)) {
      return -1;
    }
    try {
      return unix.getOpenFileDescriptorCount();
    } catch (InternalError e) {
      return AT_LIMIT; // "errno: 24 ... Unable to open directory /proc/self/fd"
    }
  }

  private static long readLimit() {
    if (Files.isReadable(PROC_LIMITS)) {
      try {
        for (String line : Files.readAllLines(PROC_LIMITS)) {
          if (line.startsWith(LIMIT_LINE)) {
            // "Max open files   <soft>   <hard>   files"; the soft limit is what open() meets.
            String soft = line.substring(LIMIT_LINE.length()).trim().split("\\s+")[0];
            return "unlimited".equals(soft) ? Long.MAX_VALUE : Long.parseLong(soft);
          }
        }
      } catch (IOException | RuntimeException e) {
        // fall through to the MXBean
      }
    }
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
  }
}
