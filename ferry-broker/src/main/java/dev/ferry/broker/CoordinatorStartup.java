package dev.ferry.broker;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.coordinator.CoordinatorTopicListener;
import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.GroupCoordinatorConfig;
import dev.ferry.coordinator.group.OffsetsTopicListener;
import dev.ferry.coordinator.group.PartitionCoordinatorLog;
import dev.ferry.coordinator.group.TopicVisibility;
import dev.ferry.coordinator.transaction.InterBrokerClient;
import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.coordinator.transaction.TransactionMarkerChannel;
import dev.ferry.metadata.MetadataStore;
import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.InterBrokerChannel;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KafkaApis;
import dev.ferry.server.cluster.ClusterView;
import dev.ferry.server.group.GroupApis;
import dev.ferry.server.group.MetadataSubscribableTopics;
import dev.ferry.server.group.MetadataTopicIds;
import dev.ferry.server.group.OffsetsTopicLocator;
import dev.ferry.server.produce.ProduceHandler;
import dev.ferry.server.produce.ProduceValidation;
import dev.ferry.server.producerid.InitProducerIdHandler;
import dev.ferry.server.producerid.ProducerIdManager;
import dev.ferry.server.txn.AddOffsetsToTxnHandler;
import dev.ferry.server.txn.AddPartitionsToTxnHandler;
import dev.ferry.server.txn.DescribeProducersHandler;
import dev.ferry.server.txn.DescribeTransactionsHandler;
import dev.ferry.server.txn.EndTxnHandler;
import dev.ferry.server.txn.ListTransactionsHandler;
import dev.ferry.server.txn.TransactionStateTopicLocator;
import dev.ferry.server.txn.TransactionVerifier;
import dev.ferry.server.txn.TxnMarkerWriter;
import dev.ferry.server.txn.TxnOffsetCommitHandler;
import dev.ferry.server.txn.WriteTxnMarkersHandler;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * Starts the broker's two coordinators and registers the request handlers that need them (groups,
 * transactions, Produce): split from {@link FerryBroker}, which wires everything else. What it
 * starts goes onto the broker's stack of started services, so the broker stops it in reverse order.
 */
final class CoordinatorStartup {

  private final BrokerConfig config;
  private final MetadataStore metadata;
  private final ReplicaManager replicaManager;
  private final InterBrokerChannel interBrokerChannel;
  private final ProduceValidation produceValidation;
  private final Function<NetworkRequest, TopicVisibility> visibility;
  private final Deque<AutoCloseable> started;
  private ShareGroupStartup shareGroups;

  CoordinatorStartup(
      BrokerConfig config,
      MetadataStore metadata,
      ReplicaManager replicaManager,
      InterBrokerChannel interBrokerChannel,
      ProduceValidation produceValidation,
      Function<NetworkRequest, TopicVisibility> visibility,
      Deque<AutoCloseable> started) {
    this.config = config;
    this.visibility = visibility;
    this.metadata = metadata;
    this.replicaManager = replicaManager;
    this.interBrokerChannel = interBrokerChannel;
    this.produceValidation = produceValidation;
    this.started = started;
  }

  /**
   * Starts both coordinators and registers their handlers. The group coordinator follows leadership
   * of {@code __consumer_offsets} partitions and the transaction coordinator that of {@code
   * __transaction_state}; both topics are created on the first FindCoordinator, as in Kafka.
   * Produce is registered here: transactional batches are checked with the transaction coordinator.
   */
  void start(
      KafkaApis apis,
      ClusterView cluster,
      TopicAdmin topics,
      ExecutorService admin,
      ScheduledExecutorService scheduler) {
    GroupCoordinator groups = startGroupCoordinator(scheduler);
    ProducerIdManager producerIds = new ProducerIdManager(metadata, config.brokerId, admin);
    producerIds.start();
    TransactionCoordinator transactions =
        new TransactionCoordinator(
            config.transactions, Time.SYSTEM, producerIds::nextId, scheduler);
    started.push(transactions);
    InterBrokerClient interBroker =
        new InterBrokerClient(
            "ferry-broker-" + config.brokerId, config.replicaSocketTimeoutMs, interBrokerChannel);
    started.push(interBroker);
    TxnMarkerWriter markerWriter =
        new TxnMarkerWriter(replicaManager, groups, config.transactions.writeTimeoutMs());
    TransactionMarkerChannel markers =
        new TransactionMarkerChannel(
            config.brokerId,
            tp -> cluster.leaderOf(tp.topic(), tp.partition()),
            topic -> metadata.topic(topic).isPresent(),
            markerWriter,
            interBroker);
    started.push(markers);
    transactions.startup(markers);
    CoordinatorTopicListener txnListener =
        new CoordinatorTopicListener(
            "transaction coordinator",
            TransactionCoordinator.TRANSACTION_STATE_TOPIC,
            transactions.config().numPartitions(),
            transactions.config().writeTimeoutMs(),
            config.brokerId,
            new CoordinatorTopicListener.Coordinated() {
              @Override
              public void load(int partition, int leaderEpoch, PartitionCoordinatorLog log) {
                transactions.onBecomeCoordinator(partition, leaderEpoch, log);
              }

              @Override
              public void unload(int partition) {
                transactions.onResignCoordinator(partition);
              }
            },
            replicaManager,
            metadata);
    metadata.addListener(txnListener);
    txnListener.syncAll();
    TransactionStateTopicLocator txnLocator =
        new TransactionStateTopicLocator(cluster, topics, transactions);
    TransactionVerifier verifier =
        new TransactionVerifier(config.brokerId, transactions, txnLocator, interBroker);

    OffsetsTopicLocator locator =
        new OffsetsTopicLocator(
            cluster,
            topics,
            config.offsetsTopicNumPartitions,
            config.offsetsTopicReplicationFactor,
            config.offsetsTopicSegmentBytes);
    MetadataTopicIds topicIds = new MetadataTopicIds(metadata);
    shareGroups =
        new ShareGroupStartup(
            config,
            metadata,
            replicaManager,
            groups,
            cluster,
            topics,
            interBroker,
            scheduler,
            started);
    shareGroups.register(apis, metadata);
    // Only now: a partition loaded earlier would skip its share groups' snapshots.
    followOffsetsTopic(groups);
    for (ApiHandler<?> handler :
        GroupApis.handlers(
            groups,
            locator,
            topicIds,
            FerryBroker.knownPartitions(metadata),
            txnLocator::coordinatorFor,
            visibility)) {
      apis.register(shareGroups.withShareGroups(handler));
    }
    apis.register(new ProduceHandler(metadata, replicaManager, verifier, produceValidation))
        .register(new InitProducerIdHandler(producerIds, transactions))
        .register(
            new AddPartitionsToTxnHandler(transactions, FerryBroker.knownPartitions(metadata)))
        .register(
            new AddOffsetsToTxnHandler(
                transactions,
                group ->
                    new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, groups.partitionFor(group))))
        .register(new EndTxnHandler(transactions))
        .register(new WriteTxnMarkersHandler(markerWriter, FerryBroker.knownPartitions(metadata)))
        .register(
            new TxnOffsetCommitHandler(
                groups, verifier, topicIds, FerryBroker.knownPartitions(metadata)))
        .register(new DescribeTransactionsHandler(transactions))
        .register(new ListTransactionsHandler(transactions, Time.SYSTEM))
        .register(
            new DescribeProducersHandler(replicaManager, FerryBroker.knownPartitions(metadata)));
  }

  /** The share-group parts, once {@link #start} ran. */
  ShareGroupStartup shareGroups() {
    return shareGroups;
  }

  private GroupCoordinator startGroupCoordinator(ScheduledExecutorService scheduler) {
    GroupCoordinator coordinator =
        new GroupCoordinator(
                new GroupCoordinatorConfig(
                    config.groupMinSessionTimeoutMs,
                    config.groupMaxSessionTimeoutMs,
                    config.groupInitialRebalanceDelayMs,
                    config.groupMaxSize,
                    config.offsetsTopicNumPartitions,
                    config.offsetsRetentionMs,
                    config.offsetsRetentionCheckIntervalMs,
                    config.offsetMetadataMaxBytes),
                Time.SYSTEM,
                scheduler)
            .enableConsumerGroups(config.consumerGroups, new MetadataSubscribableTopics(metadata))
            .startup();
    started.push(coordinator);
    return coordinator;
  }

  /**
   * Makes the group coordinator load and unload {@code __consumer_offsets} partitions as this
   * broker comes to lead them or stops; once every kind of group it hosts is plugged in.
   */
  private void followOffsetsTopic(GroupCoordinator coordinator) {
    OffsetsTopicListener offsetsListener =
        new OffsetsTopicListener(
            config.brokerId, coordinator, replicaManager, metadata, config.offsetsCommitTimeoutMs);
    metadata.addListener(offsetsListener);
    offsetsListener.syncAll();
  }
}
