package dev.ferry.storage;

import org.apache.kafka.common.record.internal.Records;

/**
 * A fetch's view of the log. {@code records} is a {@code FileRecords} slice of one segment file
 * (served with {@code transferTo}, never copied into the heap) or empty.
 */
public record ReadResult(Records records, long logStartOffset, long logEndOffset) {}
