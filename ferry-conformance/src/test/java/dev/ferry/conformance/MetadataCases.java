package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.List;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;

/** Metadata and DescribeCluster. */
final class MetadataCases {

  private MetadataCases() {}

  static List<Case> all() {
    return List.of(
        metadata("known-topic", TOPIC, false, false),
        // From v4: older versions auto-create (allowed implicitly), which Kafka does
        // asynchronously.
        metadata("unknown-topic", "conf-no-such-topic", false, false).from(4),
        metadata("invalid-topic-name", "bad/name", true, false),
        metadata("empty-topic-name", "", false, false).from(1),
        metadata("authorized-operations", TOPIC, false, true).from(8),
        Case.of(
                ApiKeys.METADATA,
                "no-topics",
                Exchange.of(
                    ApiKeys.METADATA, (s, v) -> new MetadataRequestData().setTopics(List.of())))
            .from(1),
        Case.of(
            ApiKeys.API_VERSIONS,
            "plain",
            Exchange.of(
                ApiKeys.API_VERSIONS,
                (s, v) ->
                    new org.apache.kafka.common.message.ApiVersionsRequestData()
                        .setClientSoftwareName(v >= 3 ? "ferry-conformance" : "")
                        .setClientSoftwareVersion(v >= 3 ? "1.0" : ""))),
        Case.of(
            ApiKeys.DESCRIBE_ACLS,
            "match-any",
            Exchange.of(
                ApiKeys.DESCRIBE_ACLS,
                (s, v) ->
                    new org.apache.kafka.common.message.DescribeAclsRequestData()
                        .setResourceTypeFilter((byte) 1)
                        .setResourceNameFilter(null)
                        .setPatternTypeFilter((byte) 1)
                        .setPrincipalFilter(null)
                        .setHostFilter(null)
                        .setOperation((byte) 1)
                        .setPermissionType((byte) 1))),
        Case.of(
            ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
            "all-users",
            Exchange.of(
                ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData()
                        .setUsers(null))),
        Case.of(
            ApiKeys.DESCRIBE_CLUSTER,
            "plain",
            Exchange.of(ApiKeys.DESCRIBE_CLUSTER, (s, v) -> new DescribeClusterRequestData())),
        Case.of(
            ApiKeys.DESCRIBE_CLUSTER,
            "authorized-operations",
            Exchange.of(
                ApiKeys.DESCRIBE_CLUSTER,
                (s, v) ->
                    new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true))));
  }

  private static Case metadata(String name, String topic, boolean autoCreate, boolean authOps) {
    return Case.of(
        ApiKeys.METADATA,
        name,
        Exchange.of(
            ApiKeys.METADATA,
            (s, v) -> {
              MetadataRequestData d =
                  new MetadataRequestData()
                      .setTopics(List.of(new MetadataRequestTopic().setName(topic)));
              if (v >= 4) {
                d.setAllowAutoTopicCreation(autoCreate);
              }
              if (authOps) {
                d.setIncludeTopicAuthorizedOperations(true);
                if (v <= 10) {
                  d.setIncludeClusterAuthorizedOperations(true);
                }
              }
              return d;
            }));
  }
}
