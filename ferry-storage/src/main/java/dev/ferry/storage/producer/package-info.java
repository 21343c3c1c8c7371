/**
 * Idempotent producer state: the last batches of each producer id, used to detect retries and
 * sequence gaps, snapshotted to {@code <offset>.snapshot} files at rolls and shutdown. Internal to
 * ferry-storage.
 */
package dev.ferry.storage.producer;
