package dev.ferry.storage;

/** The answer to a ListOffsets by-timestamp lookup. */
public record TimestampOffset(long timestamp, long offset) {}
