package dev.ferry.metadata;

/**
 * A controller's claim on the cluster: the epoch it bumped {@code /ferry/controller_epoch} to, and
 * the znode version that write produced. Every partition-state write of that controller checks the
 * version, so once a newer controller has bumped the epoch the stale one can no longer write.
 */
public record ControllerEpoch(int epoch, int zkVersion) {}
