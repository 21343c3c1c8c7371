/**
 * The per-segment indexes: memory-mapped files of fixed-size entries whose descriptors are closed
 * once mapped. The offset index maps offsets to file positions, the time index timestamps to
 * offsets. Internal to ferry-storage.
 */
package dev.ferry.storage.index;
