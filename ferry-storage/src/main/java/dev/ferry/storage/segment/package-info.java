/**
 * The segments of a partition log: one segment's files and lock-free reads ({@link
 * dev.ferry.storage.segment.LogSegment}), the segment map ({@link
 * dev.ferry.storage.segment.LogSegments}) and the segment I/O of a whole log ({@link
 * dev.ferry.storage.segment.LocalLog}: roll, read, truncate, delayed deletion, flush). Knows
 * nothing of replication or producers; internal to ferry-storage.
 */
package dev.ferry.storage.segment;
