/**
 * Ferry's storage engine: one append-only, segmented log per partition, in Kafka's on-disk layout.
 *
 * <p>Per log dir ({@code log.dirs} entry):
 *
 * <ul>
 *   <li>{@code <topic>-<partition>/} one directory per partition, holding per segment {@code <base
 *       offset, 20 digits>.log} (v2 record batches exactly as produced, offsets assigned in place),
 *       {@code .index} (relative offset int32 + position int32) and {@code .timeindex} (timestamp
 *       int64 + relative offset int32), plus {@code <offset>.snapshot} idempotent producer state
 *       files and {@code leader-epoch-checkpoint} (text: version {@code 0}, count, then {@code
 *       epoch startOffset} lines; rewritten only when an epoch starts, on truncation and when the
 *       log start moves past an epoch);
 *   <li>{@code recovery-point-offset-checkpoint}, {@code log-start-offset-checkpoint} and {@code
 *       replication-offset-checkpoint} (high watermarks) (text: version {@code 0}, count, {@code
 *       topic partition offset} lines);
 *   <li>{@code .ferry_cleanshutdown} while stopped cleanly, {@code .lock} while running;
 *   <li>{@code *.deleted} segment files and {@code <topic>-<partition>.<id>-delete} directories
 *       waiting for background deletion.
 * </ul>
 *
 * <p>{@link dev.ferry.storage.LogManager} owns the dirs and the single background thread; {@link
 * dev.ferry.storage.PartitionLog} is the per-partition API used by the request handlers and, for
 * replication, by the replica fetcher ({@code appendAsFollower}, {@code endOffsetForEpoch}, {@code
 * truncateTo}, {@code updateHighWatermark}). Retention never deletes at or above a log's high
 * watermark, so the broker must advance it (after each append when a partition has one replica).
 * Threads calling into a log must not be interrupted: an interrupt during file I/O closes the
 * shared {@code FileChannel} (a Java NIO rule) and the log then fails with {@code
 * KafkaStorageException}.
 */
package dev.ferry.storage;
