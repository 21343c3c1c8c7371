/**
 * Log compaction: the cleaner thread picks the dirtiest compacted log, and a pass rewrites its
 * cleanable segments keeping the latest record per key, swapping them in crash-safely. Sees a log
 * only through {@link dev.ferry.storage.cleaner.CleanableLog}.
 */
package dev.ferry.storage.cleaner;
