/**
 * The leader-epoch cache: which leader epoch started at which offset, persisted in the partition's
 * {@code leader-epoch-checkpoint}; answers OffsetForLeaderEpoch. Internal to ferry-storage.
 */
package dev.ferry.storage.epoch;
