package dev.ferry.replication;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.record.internal.Records;

/**
 * What one partition read returns: the records (a zero-copy file slice, or empty) and the offsets a
 * fetch response reports with them, all taken under the partition's role lock so they agree.
 *
 * @param abortedTransactions for a read_committed read, the transactions aborted within the
 *     returned range (empty while the broker has no transactions); null for other reads, which do
 *     not report them
 */
public record LogReadInfo(
    Records records,
    long highWatermark,
    long lastStableOffset,
    long logStartOffset,
    long logEndOffset,
    List<AbortedTransaction> abortedTransactions) {}
