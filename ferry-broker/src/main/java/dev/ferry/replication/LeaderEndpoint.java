package dev.ferry.replication;

import java.io.IOException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;

/**
 * A follower's connection to the broker that leads its partitions: the two requests a {@link
 * ReplicaFetcherThread} sends. {@link RemoteLeaderEndpoint} speaks them over a socket; tests answer
 * them from a local leader partition, so truncation and divergence handling run without a network.
 * Calls come from the one fetcher thread; {@link #disconnect} and {@link #close} may come from
 * another (to end a blocking call at shutdown).
 */
interface LeaderEndpoint {

  /** The leader's end offset for each partition's latest local epoch (truncation). */
  OffsetForLeaderEpochResponseData offsetsForLeaderEpoch(OffsetForLeaderEpochRequestData request)
      throws IOException;

  /**
   * The leader's log end offset for {@code tp} (ListOffsets for the latest offset, as a replica, so
   * the log end rather than the high watermark), or -1 if the leader answered with an error (e.g.
   * it no longer leads at {@code currentLeaderEpoch}).
   */
  long logEndOffset(TopicPartition tp, int currentLeaderEpoch) throws IOException;

  /** A replica fetch (the request carries this broker's replica id). */
  FetchResponseData fetch(FetchRequestData request) throws IOException;

  /** Drops the connection after a failure; the next call reconnects. */
  void disconnect();

  /** Releases the endpoint for good. */
  void close();
}
