package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The expected differences between Ferry's answers and Kafka's, each with its reason. A difference
 * matched by no entry fails the suite. Keep it short: an entry is a decision that a difference does
 * not matter to any client (or that Ferry deliberately lacks a feature), not a place to park bugs.
 *
 * <p>Entries match a scope and a field path. The scope is an API name ({@code METADATA}), an API
 * and case ({@code PRODUCE/keyless-to-compacted}), or {@code *}; the path names fields by schema
 * name without array indexes ({@code topics[].partitions[].errorCode}), where {@code *} matches
 * within one name and {@code **} across names. Matching a field also allows everything below it.
 */
final class AllowList {

  private final List<Entry> entries = new ArrayList<>();
  private final java.util.Map<org.apache.kafka.common.protocol.ApiKeys, String> uncovered =
      new java.util.EnumMap<>(org.apache.kafka.common.protocol.ApiKeys.class);

  record Entry(Pattern scope, Pattern path, int fromVersion, String reason) {}

  AllowList allow(String scope, String path, String reason) {
    return allowFrom(0, scope, path, reason);
  }

  /** An entry for versions {@code fromVersion} and later of the case's API only. */
  AllowList allowFrom(int fromVersion, String scope, String path, String reason) {
    entries.add(new Entry(glob(scope), glob(path), fromVersion, reason));
    return this;
  }

  /**
   * An API Ferry advertises that this suite compares no answer of (or not at every version), with
   * the reason; without an entry the coverage check fails.
   */
  AllowList uncovered(org.apache.kafka.common.protocol.ApiKeys api, String reason) {
    uncovered.put(api, reason);
    return this;
  }

  /** The reason {@code api} may go (partly) uncompared, or null. */
  String uncoveredReason(org.apache.kafka.common.protocol.ApiKeys api) {
    return uncovered.get(api);
  }

  boolean allows(String api, String caseName, short version, String path) {
    for (Entry e : entries) {
      if ((e.scope.matcher(api).matches() || e.scope.matcher(api + "/" + caseName).matches())
          && version >= e.fromVersion
          && e.path.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^.]*");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /**
   * The cluster variant's list: the standard one, plus what two independently run clusters place
   * differently.
   */
  static AllowList cluster() {
    return standard()
        // A KRaft broker names a random live broker as "controller" (clients only use it for
        // admin requests any broker forwards); Ferry names its elected ZooKeeper controller.
        .allow("METADATA", "controllerId", "KRaft answers a random broker")
        .allow("DESCRIBE_CLUSTER", "controllerId", "KRaft answers a random broker")
        // Which broker leads each offsets-topic partition is each cluster's own placement.
        .allow("FIND_COORDINATOR", "**nodeId", "internal topic placement differs per cluster")
        // KIP-392 (fetch from the closest replica) is not in Ferry. Two parts are missing:
        // (1) followers answer a consumer's Fetch (v11+, replica id -1) with
        //     NOT_LEADER_OR_FOLLOWER and the leader's id, epoch and endpoint (KIP-951), where a
        //     Kafka follower serves it up to its own high watermark (and last stable offset);
        // (2) replica.selector.class (Kafka's RackAwareReplicaSelector) is not read, so a
        //     leader never names a preferred_read_replica (always -1) for a consumer's rack_id.
        // Effect: a consumer with client.rack reads from the leader, across racks; nothing is
        // lost, reordered or refused, and a consumer that asks a follower (which only happens
        // when a broker named it) costs one extra round trip. Fetch v4-10 (no follower reads in
        // Kafka either) and the leader's answers are compared in full.
        .allowFrom(11, "FETCH/from-follower", "responses", "no follower fetching (KIP-392)")
        .allowFrom(11, "FETCH/from-follower", "nodeEndpoints", "no follower fetching (KIP-392)");
  }

  /** The suite's list. Every entry says why the difference is expected. */
  static AllowList standard() {
    return new AllowList()
        // Identity of the cluster and its nodes: every cluster has its own.
        .allow("*", "clusterId", "each cluster has its own random id")
        .allow("*", "**host", "Ferry listens on 127.0.0.1, the Kafka test kit on localhost")
        .allow("*", "**port", "ephemeral ports differ")
        // Quotas: neither side throttles in these tests, but Kafka may report a delay it measured.
        .allow("*", "**throttleTimeMs", "throttling is time-dependent, not protocol behaviour")
        // Human-readable text. Clients branch on error codes and show the text; the texts are
        // Ferry's own words (no copied sentences). KIP-467's per-record messages are checked by
        // their presence in ProduceRecordErrorsTest with the real producer.
        .allow("*", "**errorMessage", "free text; clients act on the error code")
        .allow("*", "**batchIndexErrorMessage", "free text; clients act on the error code")
        // ApiVersions: the API table is compared API by API (ApiVersionsComparison): Ferry serves
        // a subset of Kafka's APIs, and every one it serves must have Kafka's exact range.
        .allow("API_VERSIONS", "apiKeys", "compared per API by ApiVersionsComparison")
        // Feature flags: Ferry finalizes metadata.version, transaction.version (KIP-890) and
        // group.version (KIP-848) at Kafka 4.4's levels, but not the features of protocols it does
        // not serve (kraft.version, streams.version, eligible.leader.replicas.version, ...):
        // advertising those would make clients use them. The epoch is Kafka's metadata offset.
        .allow("API_VERSIONS", "supportedFeatures", "only the features Ferry serves")
        .allow("API_VERSIONS", "finalizedFeatures", "only the features Ferry serves")
        .allow("API_VERSIONS", "finalizedFeaturesEpoch", "KRaft's metadata log offset")
        .allow("API_VERSIONS", "zkMigrationReady", "no KRaft migration in Ferry")
        // Producer ids come from cluster-wide blocks; their values depend on each cluster's
        // history (Kafka's controller hands out blocks, Ferry's ZooKeeper counter does).
        .allow("INIT_PRODUCER_ID", "producerId", "allocated per cluster; only validity matters")
        // Topic configs Kafka 4.4 has and Ferry deliberately lacks: tiered storage (remote.*,
        // local.retention.* are listed by Ferry for tools but remote storage is not supported),
        // share-group dead-letter queues, and decompression limits (Ferry never decompresses).
        .allow("*", "**configs.name=remote.**", "no tiered storage in Ferry")
        .allow(
            "*",
            "**configs.name=errors.deadletterqueue.**",
            "no share-group dead-letter queues in Ferry")
        // Both keep share-group delivery state in __share_group_state, created on first use: the
        // share-partition leader creates it when it first loads a share-partition, and which case
        // that comes in differs between the sides' share-group implementations.
        .allow(
            "*",
            "**topics.name=__share_group_state",
            "created on first use by either side, at different cases")
        // The share coordinator's inter-broker RPCs: only brokers send them (CLUSTER_ACTION), with
        // each side's own state records behind; ShareGroupFailoverTest covers Ferry's.
        .uncovered(
            org.apache.kafka.common.protocol.ApiKeys.READ_SHARE_GROUP_STATE,
            "inter-broker share coordinator RPC")
        .uncovered(
            org.apache.kafka.common.protocol.ApiKeys.WRITE_SHARE_GROUP_STATE,
            "inter-broker share coordinator RPC")
        .uncovered(
            org.apache.kafka.common.protocol.ApiKeys.DELETE_SHARE_GROUP_STATE,
            "inter-broker share coordinator RPC")
        .allow("*", "**configs.name=max.decompressed.message.bytes", "Ferry never decompresses")
        // The Kafka test kit sets min.insync.replicas as a dynamic cluster default (source 3);
        // a plain broker reports the static default (5) as Ferry does.
        .allow("*", "**configs.name=min.insync.replicas.configSource", "test kit artefact")
        // CreateTopics validate_only: Kafka hands out a random id for a topic it did not create;
        // Ferry answers the zero id. No client uses the id of a validate-only answer.
        .allow("CREATE_TOPICS/validate-only", "topics.*.topicId", "meaningless id")
        // Producer ids in the answers of the transactional APIs (see INIT_PRODUCER_ID above).
        .allow("END_TXN", "producerId", "allocated per cluster")
        .allow("DESCRIBE_TRANSACTIONS", "**producerId", "allocated per cluster")
        .allow("LIST_TRANSACTIONS", "**producerId", "allocated per cluster")
        .allow("DESCRIBE_PRODUCERS", "**producerId", "allocated per cluster")
        // KIP-848 epochs: Kafka 4.4 answers a new group's first member with group, assignment and
        // member epoch 2 (the new member and the group's first subscription metadata are two
        // epoch bumps), Ferry with 1. Clients treat epochs as opaque tokens they echo back; what
        // they act on is compared: the error codes of heartbeats at a stale or fenced epoch
        // (sent relative to each side's own epoch), assignments, members, states.
        .allow("CONSUMER_GROUP_HEARTBEAT", "memberEpoch", "opaque epoch numbering")
        .allow("CONSUMER_GROUP_DESCRIBE", "groups.*.groupEpoch", "opaque epoch numbering")
        .allow("CONSUMER_GROUP_DESCRIBE", "groups.*.assignmentEpoch", "opaque epoch numbering")
        .allow("CONSUMER_GROUP_DESCRIBE", "groups.*.members.*.memberEpoch", "opaque epochs")
        // AddPartitionsToTxn v4+ with verifyOnly is broker-to-broker only (a partition leader
        // asking the transaction coordinator before a transaction's first append; no client
        // sends it, and Ferry brokers never talk to Kafka brokers). For a partition not in the
        // transaction Kafka 4.4 answers TRANSACTION_ABORTABLE, Ferry INVALID_TXN_STATE, which its
        // produce path turns into the produce error; changing it belongs to the transaction
        // coordinator's work (#12). Verified partitions (NONE) are compared.
        .allow(
            "ADD_PARTITIONS_TO_TXN/verify-only",
            "resultsByTransaction.*.topicResults.*.resultsByPartition.partitionIndex=2"
                + ".partitionErrorCode",
            "broker-to-broker only")
        // SCRAM messages from the server carry its random nonce (server-first) and a signature
        // over it (server-final); the client's messages and every error code are compared.
        .allow("SASL_AUTHENTICATE/scram-*", "authBytes", "random server nonce")
        // The aborted transactions of a read_committed fetch name each cluster's producer id.
        .allow("FETCH", "**abortedTransactions[].producerId", "allocated per cluster")
        .allow(
            "FETCH/session-open-incremental-wrong-epoch",
            "sessionId",
            "a fetch session id is random per broker")
        // A read_committed/uncommitted fetch right after the markers: Kafka returns only the
        // first batch while the file position of its new high watermark is not known yet (it
        // reads to an offset it can place), Ferry every batch below the bound; the consumer
        // fetches the rest next. Offsets, high watermark, last stable offset and aborted
        // transactions are compared.
        .allow(
            "FETCH/read-committed-after-abort-and-commit",
            "**recordsSizeInBytes",
            "Kafka returns one batch until it can place its high watermark")
        // DescribeLogDirs: each broker's own directory path and disk space.
        .allow("DESCRIBE_LOG_DIRS", "results[].logDir", "each broker's own path")
        .allow("DESCRIBE_LOG_DIRS", "results[].totalBytes", "each machine's disk")
        .allow("DESCRIBE_LOG_DIRS", "results[].usableBytes", "each machine's disk")
        // KIP-714: a new client instance gets a random id; its subscription id mixes that id in.
        .allow("GET_TELEMETRY_SUBSCRIPTIONS", "clientInstanceId", "random per client instance")
        .allow("GET_TELEMETRY_SUBSCRIPTIONS", "subscriptionId", "derived from the random id")
        // Wall-clock times of the run.
        .allow("DESCRIBE_TRANSACTIONS", "**transactionStartTimeMs", "wall-clock time")
        .allow("DESCRIBE_PRODUCERS", "**lastTimestamp", "wall-clock time");
  }
}
