/**
 * Text checkpoint files in Kafka's layout (version, count, one entry per line), written atomically
 * through a temporary file and a rename. Internal to ferry-storage.
 */
package dev.ferry.storage.checkpoint;
