package dev.ferry.server.cluster;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.admin.AdminFutures;
import dev.ferry.server.authz.AuthorizedOperations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Metadata from the metadata cache. Unknown topics are created first when both the client
 * and {@code auto.create.topics.enable} allow it, so the client sees them in this same answer.
 */
public final class MetadataHandler extends ApiHandler<MetadataRequest> {

  private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);
  private static final int AUTHORIZED_OPERATIONS_OMITTED = AuthorizedOperations.OMITTED;

  private final ClusterView cluster;
  private final TopicAdmin topics;
  private final boolean autoCreateEnabled;
  private final int defaultPartitions;
  private final short defaultReplicationFactor;
  private final AuthorizedOperations authorizedOperations;
  private final PartitionDescriptions partitions;

  public MetadataHandler(
      ClusterView cluster,
      TopicAdmin topics,
      boolean autoCreateEnabled,
      int defaultPartitions,
      short defaultReplicationFactor) {
    this(
        cluster,
        topics,
        autoCreateEnabled,
        defaultPartitions,
        defaultReplicationFactor,
        AuthorizedOperations.allowAll());
  }

  /** With {@code authorizedOperations} filling the fields clients ask for (KIP-430). */
  public MetadataHandler(
      ClusterView cluster,
      TopicAdmin topics,
      boolean autoCreateEnabled,
      int defaultPartitions,
      short defaultReplicationFactor,
      AuthorizedOperations authorizedOperations) {
    super(ApiKeys.METADATA, MetadataRequest.class, 0, 13);
    this.authorizedOperations = authorizedOperations;
    this.cluster = cluster;
    this.topics = topics;
    this.autoCreateEnabled = autoCreateEnabled;
    this.defaultPartitions = defaultPartitions;
    this.defaultReplicationFactor = defaultReplicationFactor;
    this.partitions = new PartitionDescriptions(cluster);
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, MetadataRequest req) {
    return answer(req).thenApply(r -> withAuthorizedOperations(r, request, req));
  }

  /**
   * The operations the requester may perform on each topic (v8+) and on the cluster (v8-10), when
   * asked for; Kafka fills them for every named topic in the answer.
   */
  private MetadataResponse withAuthorizedOperations(
      MetadataResponse response, NetworkRequest request, MetadataRequest req) {
    MetadataResponseData data = response.data();
    short version = req.version();
    if (version >= 8 && req.data().includeTopicAuthorizedOperations()) {
      for (MetadataResponseTopic t : data.topics()) {
        if (t.name() != null) {
          t.setTopicAuthorizedOperations(
              authorizedOperations.of(request, ResourceType.TOPIC, t.name()));
        }
      }
    }
    if (version >= 8 && version <= 10 && req.data().includeClusterAuthorizedOperations()) {
      data.setClusterAuthorizedOperations(authorizedOperations.ofCluster(request));
    }
    return response;
  }

  private CompletableFuture<MetadataResponse> answer(MetadataRequest req) {
    short version = req.version();
    if (req.isAllTopics()) {
      return CompletableFuture.completedFuture(respond(allTopicNames(), List.of(), version));
    }
    // From v10 a topic may be named by id: those are answered from topicIdsOf. The Java client
    // leaves the name of such a topic at its default, "" (not null), so the id decides.
    List<String> names = new ArrayList<>();
    if (req.data().topics() != null) {
      for (var t : req.data().topics()) {
        if (t.name() != null && (t.topicId() == null || Uuid.ZERO_UUID.equals(t.topicId()))) {
          names.add(t.name());
        }
      }
    }
    List<Uuid> ids = topicIdsOf(req);
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (cluster.store().topic(name).isEmpty()
          && Topic.isValid(name)
          && !ClusterView.isInternal(name)) {
        missing.add(name);
      }
    }
    // Before v4 the request has no flag and Kafka always auto-created.
    boolean autoCreate = autoCreateEnabled && (version < 4 || req.allowAutoTopicCreation());
    if (missing.isEmpty() || !autoCreate) {
      return CompletableFuture.completedFuture(respond(names, ids, version));
    }
    List<CompletableFuture<Void>> creations = new ArrayList<>();
    for (String name : missing) {
      creations.add(createQuietly(name));
    }
    return CompletableFuture.allOf(creations.toArray(CompletableFuture[]::new))
        .thenApply(done -> respond(names, ids, version));
  }

  /** Completes (never fails) once the topic exists or could not be created. */
  private CompletableFuture<Void> createQuietly(String name) {
    return topics
        .createTopic(name, defaultPartitions, defaultReplicationFactor, Map.of(), Map.of(), false)
        .handle(
            (created, error) -> {
              Throwable cause = error == null ? null : AdminFutures.cause(error);
              if (cause == null) {
                log.info("Auto-created topic {} with {} partition(s)", name, defaultPartitions);
              } else if (!(cause instanceof TopicExistsException)) {
                // TopicExists: another request created it first, which is fine.
                log.warn("Could not auto-create topic {}: {}", name, cause.toString());
              }
              return null;
            });
  }

  private List<String> allTopicNames() {
    List<String> out = new ArrayList<>();
    for (TopicMetadata t : cluster.store().topics()) {
      out.add(t.name());
    }
    Collections.sort(out);
    return out;
  }

  private static List<Uuid> topicIdsOf(MetadataRequest req) {
    List<Uuid> out = new ArrayList<>();
    if (req.data().topics() == null) {
      return out;
    }
    for (var t : req.data().topics()) {
      if (t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId())) {
        out.add(t.topicId());
      }
    }
    return out;
  }

  private MetadataResponse respond(List<String> names, List<Uuid> ids, short version) {
    // Read before the metadata it stands for (see MetadataView.version).
    long metadataVersion = cluster.store().version();
    Set<Integer> live = cluster.liveBrokerIds();
    MetadataResponseTopicCollection topicsOut = new MetadataResponseTopicCollection();
    for (String name : names) {
      Optional<TopicMetadata> topic = cluster.store().topic(name);
      if (topic.isPresent()) {
        topicsOut.add(describe(topic.get(), live, metadataVersion));
      } else {
        Errors error =
            Topic.isValid(name)
                ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                : Errors.INVALID_TOPIC_EXCEPTION;
        topicsOut.add(
            new MetadataResponseTopic()
                .setName(name)
                .setErrorCode(error.code())
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED));
      }
    }
    for (Uuid id : ids) {
      Optional<TopicMetadata> topic = cluster.store().topic(id);
      topicsOut.add(
          topic
              .map(t -> describe(t, live, metadataVersion))
              .orElseGet(
                  () ->
                      new MetadataResponseTopic()
                          .setTopicId(id)
                          .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                          .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED)));
    }
    MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
    for (BrokerInfo b : cluster.liveBrokers()) {
      brokers.add(
          new MetadataResponseBroker()
              .setNodeId(b.id())
              .setHost(b.host())
              .setPort(b.port())
              .setRack(b.rack()));
    }
    MetadataResponseData data =
        new MetadataResponseData()
            .setBrokers(brokers)
            .setClusterId(cluster.clusterId())
            .setControllerId(cluster.controllerId())
            .setTopics(topicsOut)
            .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    return new MetadataResponse(data, version);
  }

  private MetadataResponseTopic describe(
      TopicMetadata topic, Set<Integer> live, long metadataVersion) {
    return new MetadataResponseTopic()
        .setName(topic.name())
        .setTopicId(topic.topicId())
        .setIsInternal(ClusterView.isInternal(topic.name()))
        .setErrorCode(Errors.NONE.code())
        .setPartitions(partitions.of(topic, live, metadataVersion))
        .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
  }
}
