package dev.ferry.reliability;

import java.util.List;

/**
 * The network threads of the in-JVM broker, captured once, so a test can check later that none of
 * them died (a dead processor strands its connections silently).
 */
final class BrokerThreads {

  private final List<Thread> threads;

  private BrokerThreads(List<Thread> threads) {
    this.threads = threads;
  }

  /** The live {@code ferry-network-acceptor} and {@code ferry-network-processor-*} threads. */
  static BrokerThreads capture() {
    return new BrokerThreads(
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .filter(
                t ->
                    t.getName().equals("ferry-network-acceptor")
                        || t.getName().startsWith("ferry-network-processor-"))
            .toList());
  }

  List<Thread> threads() {
    return threads;
  }

  /** Names of captured threads that are no longer alive. */
  List<String> dead() {
    return threads.stream().filter(t -> !t.isAlive()).map(Thread::getName).toList();
  }
}
