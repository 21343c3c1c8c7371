package dev.ferry.storage;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an I/O failure of a log dir is reported, from whichever thread met it (a request handler
 * appending as leader, a replica fetcher, the log scheduler), and from where the broker's handler
 * takes it to act on: Kafka's log-dir failure semantics. After a failed write the files of that dir
 * can no longer be trusted to match the logs' in-memory state (a partial batch that could not be
 * cut back, an index page that was never allocated), so the whole dir goes offline until the next
 * start, whose recovery rebuilds a consistent state from the files.
 *
 * <p>Reporting only records the dir and queues it: the reporter usually holds a partition's log
 * lock, and taking the dir offline touches every partition in it, so that work runs on the
 * handler's own thread ({@link #takeNext}). A dir is reported once; later failures in it are
 * already covered.
 */
public final class LogDirFailureChannel {

  private static final Logger log = LoggerFactory.getLogger(LogDirFailureChannel.class);

  private final Set<Path> offline = ConcurrentHashMap.newKeySet();
  private final BlockingQueue<Path> pending = new LinkedBlockingQueue<>();

  /**
   * Records that {@code logDir} failed and queues it for the handler, unless it was reported
   * before. Logs {@code message} with the cause at ERROR the first time.
   */
  public void reportFailure(Path logDir, String message, Throwable cause) {
    Path dir = normalize(logDir);
    if (offline.add(dir)) {
      log.error("{}: log dir {} goes offline", message, dir, cause);
      pending.add(dir);
    }
  }

  /** Whether {@code logDir} was reported failed. */
  public boolean isOffline(Path logDir) {
    return offline.contains(normalize(logDir));
  }

  /** The dirs reported failed so far. */
  public Set<Path> offlineDirs() {
    return Set.copyOf(offline);
  }

  /** The next reported dir not yet handled, waiting up to {@code timeoutMs}; null if none came. */
  public Path takeNext(long timeoutMs) throws InterruptedException {
    return pending.poll(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static Path normalize(Path dir) {
    return dir.toAbsolutePath().normalize();
  }
}
