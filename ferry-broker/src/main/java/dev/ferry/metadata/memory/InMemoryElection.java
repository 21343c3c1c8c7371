package dev.ferry.metadata.memory;

import dev.ferry.metadata.ControllerElection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The controller election of an {@link InMemoryMetadataCluster}: candidates queue in the order they
 * joined and the first one leads, as with ZooKeeper's sequential-znode latch. When the leader
 * leaves (closes its candidacy or its session), the next one is told it is elected.
 */
final class InMemoryElection {

  // Guarded by "this"; the head leads.
  private final List<Candidate> queue = new ArrayList<>();

  Candidate candidate(
      InMemoryMetadataStore session,
      int brokerId,
      ControllerElection.Listener listener,
      Executor executor) {
    return new Candidate(session, brokerId, listener, executor);
  }

  /** Removes every candidacy of {@code session}. */
  void leave(InMemoryMetadataStore session) {
    List<Candidate> gone = new ArrayList<>();
    synchronized (this) {
      for (Candidate c : queue) {
        if (c.session == session) {
          gone.add(c);
        }
      }
    }
    gone.forEach(Candidate::close);
  }

  private synchronized boolean leads(Candidate c) {
    return !queue.isEmpty() && queue.get(0) == c;
  }

  final class Candidate implements ControllerElection {

    private final InMemoryMetadataStore session;
    private final int brokerId;
    private final Listener listener;
    private final Executor executor;

    private Candidate(
        InMemoryMetadataStore session, int brokerId, Listener listener, Executor executor) {
      this.session = session;
      this.brokerId = brokerId;
      this.listener = listener;
      this.executor = executor;
    }

    @Override
    public void start() {
      boolean elected;
      synchronized (InMemoryElection.this) {
        if (queue.contains(this)) {
          return;
        }
        queue.add(this);
        elected = queue.size() == 1;
      }
      if (elected) {
        executor.execute(listener::onElected);
      }
    }

    @Override
    public boolean isController() {
      return leads(this);
    }

    @Override
    public void close() {
      Candidate next = null;
      boolean wasLeader;
      synchronized (InMemoryElection.this) {
        wasLeader = leads(this);
        if (!queue.remove(this)) {
          return;
        }
        if (wasLeader && !queue.isEmpty()) {
          next = queue.get(0);
        }
      }
      if (wasLeader) {
        tell(this, listener::onResigned);
      }
      if (next != null) {
        tell(next, next.listener::onElected);
      }
    }

    @Override
    public String toString() {
      return "candidate " + brokerId;
    }
  }

  private static void tell(Candidate c, Runnable call) {
    try {
      c.executor.execute(call);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Its controller has stopped already: nobody left to tell.
    }
  }
}
