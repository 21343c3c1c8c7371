package dev.ferry.bench.scale;

/**
 * Every figure of one system at one scale in one round, filled in step by step as the run goes (a
 * plain data holder that Jackson writes and reads). NaN (or -1 for counts) where a step was not run
 * or failed; {@code note} says why.
 *
 * <p>Fields:
 *
 * <p>- system "kafka" or "ferry" - layout "single" (one broker) or "cluster" (three brokers, RF 3)
 * - partitions partitions of the measured topic - replicas partition replicas (partitions ×
 * replication factor) - loadBefore 1-min load average before the run - loadAfter 1-min load average
 * after the run - createAnsweredMs CreateTopics sent → answered - createServedMs CreateTopics sent
 * → every partition answers ListOffsets (and, RF 3, has a full ISR) - createCpuMs CPU of every
 * process of the system over the creation (brokers, ZooKeeper) - createMetadataStoreCpuMs of which
 * the separate metadata store (Ferry's ZooKeeper in the cluster); NaN where it is inside the broker
 * - metadataP50Us Metadata request (the topic) round trip, median - metadataP99Us the same, 99th
 * percentile - metadataBytes answer size - metadataCpuUs broker CPU per Metadata request -
 * produceRecordsPerSec client-defaults producer, records spread over all partitions -
 * produceCpuUsPerRecord CPU of every process per acknowledged record - produceFailed records that
 * failed - rssIdleMb RSS after start-up, before the topic (sum over the processes) - rssMb RSS
 * after the produce (sum over the processes) - shutdownMs SIGTERM → process gone (single broker) -
 * restartMs relaunch → every partition answers ListOffsets (single broker) - restartCpuMs broker
 * CPU over that restart - rssRestartMb RSS once restarted - failoverLedByVictim partitions the
 * killed broker led (cluster) - failoverFirstMs SIGKILL → first of them has another leader -
 * failoverAllMs SIGKILL → all of them have another leader
 */
public final class ScalePoint {

  public String system;
  public String layout;
  public int round = -1;
  public int partitions = -1;
  public int replicas = -1;
  public double loadBefore = Double.NaN;
  public double loadAfter = Double.NaN;
  public double createAnsweredMs = Double.NaN;
  public double createServedMs = Double.NaN;
  public double createCpuMs = Double.NaN;
  public double createMetadataStoreCpuMs = Double.NaN;
  public double metadataP50Us = Double.NaN;
  public double metadataP99Us = Double.NaN;
  public long metadataBytes = -1;
  public double metadataCpuUs = Double.NaN;
  public double produceRecordsPerSec = Double.NaN;
  public double produceCpuUsPerRecord = Double.NaN;
  public long produceFailed = -1;
  public double rssIdleMb = Double.NaN;
  public double rssMb = Double.NaN;
  public double shutdownMs = Double.NaN;
  public double restartMs = Double.NaN;
  public double restartCpuMs = Double.NaN;
  public double rssRestartMb = Double.NaN;
  public int failoverLedByVictim = -1;
  public double failoverFirstMs = Double.NaN;
  public double failoverAllMs = Double.NaN;
  public String note = "";

  /** For Jackson. */
  public ScalePoint() {}

  public ScalePoint(String system, String layout, int round, int partitions, int replicas) {
    this.system = system;
    this.layout = layout;
    this.round = round;
    this.partitions = partitions;
    this.replicas = replicas;
  }
}
