/**
 * Time, threads and waiting: the {@link dev.ferry.runtime.Scheduler} the broker's timed work runs
 * on, the {@link dev.ferry.runtime.DelayedOperationPurgatory} where requests wait for an event or a
 * timeout without holding a thread, and the lifecycle of the broker's named threads ({@link
 * dev.ferry.runtime.BrokerThreads}, {@link dev.ferry.runtime.LoopThread}). The clock is
 * kafka-clients' {@code Time}, as in ferry-storage; tests substitute a manual clock and scheduler.
 */
package dev.ferry.runtime;
