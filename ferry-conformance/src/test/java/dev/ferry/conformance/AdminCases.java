package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.COMPACTED;
import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/** Topic and config administration. */
final class AdminCases {

  private AdminCases() {}

  static List<Case> all() {
    List<Case> cases = new ArrayList<>();
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "create",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create("ct-v" + v, 2, rf(s), false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "validate-only",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create("ctv-v" + v, 2, rf(s), true))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "already-exists",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create(TOPIC, 3, rf(s), false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "zero-partitions",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create("ctz-v" + v, 0, rf(s), false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "replication-factor-too-big",
            Exchange.of(
                ApiKeys.CREATE_TOPICS, (s, v) -> create("ctr-v" + v, 1, (short) 9, false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "invalid-name",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create("bad/name", 1, rf(s), false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "unknown-config",
            Exchange.of(
                ApiKeys.CREATE_TOPICS,
                (s, v) -> {
                  CreateTopicsRequestData d = create("ctc-v" + v, 1, rf(s), false);
                  d.topics()
                      .iterator()
                      .next()
                      .configs()
                      .add(new CreatableTopicConfig().setName("no.such.config").setValue("1"));
                  return d;
                })));
    cases.add(
        Case.of(
            ApiKeys.CREATE_TOPICS,
            "invalid-config-value",
            Exchange.of(
                ApiKeys.CREATE_TOPICS,
                (s, v) -> {
                  CreateTopicsRequestData d = create("ctc2-v" + v, 1, rf(s), false);
                  d.topics()
                      .iterator()
                      .next()
                      .configs()
                      .add(new CreatableTopicConfig().setName("retention.ms").setValue("soon"));
                  return d;
                })));
    cases.add(
        Case.of(
            ApiKeys.DELETE_TOPICS,
            "delete",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create("dt-v" + v, 1, rf(s), false))
                .uncompared(),
            Exchange.of(ApiKeys.DELETE_TOPICS, (s, v) -> delete(v, "dt-v" + v))));
    cases.add(
        Case.of(
            ApiKeys.DELETE_TOPICS,
            "unknown-topic",
            Exchange.of(ApiKeys.DELETE_TOPICS, (s, v) -> delete(v, "conf-no-such-topic"))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_PARTITIONS,
            "grow",
            Exchange.of(ApiKeys.CREATE_TOPICS, (s, v) -> create("cp-v" + v, 1, rf(s), false))
                .uncompared(),
            Exchange.of(ApiKeys.CREATE_PARTITIONS, (s, v) -> partitions("cp-v" + v, 2, false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_PARTITIONS,
            "shrink",
            Exchange.of(ApiKeys.CREATE_PARTITIONS, (s, v) -> partitions(TOPIC, 2, false))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_PARTITIONS,
            "same-count-validate-only",
            Exchange.of(ApiKeys.CREATE_PARTITIONS, (s, v) -> partitions(TOPIC, 3, true))));
    cases.add(
        Case.of(
            ApiKeys.CREATE_PARTITIONS,
            "unknown-topic",
            Exchange.of(
                ApiKeys.CREATE_PARTITIONS, (s, v) -> partitions("conf-no-such-topic", 4, false))));
    cases.add(
        describeConfigs(
            "topic-keys",
            ConfigResource.Type.TOPIC,
            TOPIC,
            List.of("cleanup.policy", "retention.ms")));
    cases.add(
        describeConfigs(
            "compacted-topic-keys",
            ConfigResource.Type.TOPIC,
            COMPACTED,
            List.of("cleanup.policy", "min.compaction.lag.ms")));
    // A broker's configs with synonyms: values, defaults, sources, types and read-only flags of
    // configs set in both sides' properties, left at Kafka's default, and unit variants.
    cases.add(
        Case.of(
            ApiKeys.DESCRIBE_CONFIGS,
            "broker-keys-with-synonyms",
            Exchange.of(
                ApiKeys.DESCRIBE_CONFIGS,
                (s, v) -> {
                  DescribeConfigsRequestData d =
                      describe(
                          ConfigResource.Type.BROKER,
                          String.valueOf(s.nodeId(0)),
                          List.of(
                              "num.partitions",
                              "offsets.topic.num.partitions",
                              "log.retention.hours",
                              "log.retention.minutes",
                              "replica.lag.time.max.ms",
                              "max.incremental.fetch.session.cache.slots"));
                  return v >= 1 ? d.setIncludeSynonyms(true) : d;
                })));
    cases.add(
        incrementalAlter(
            "broker-static-config",
            ConfigResource.Type.BROKER,
            "",
            "log.dirs",
            "/elsewhere",
            false));
    cases.add(
        incrementalAlter(
            "broker-invalid-value",
            ConfigResource.Type.BROKER,
            "",
            "leader.replication.throttled.rate",
            "abc",
            false));
    cases.add(describeConfigs("topic-all", ConfigResource.Type.TOPIC, TOPIC, List.of()));
    cases.add(
        describeConfigs("group-all", ConfigResource.Type.GROUP, "conf-config-group-3", List.of()));
    cases.add(
        describeConfigs(
            "unknown-topic", ConfigResource.Type.TOPIC, "conf-no-such-topic", List.of()));
    cases.add(
        describeConfigs(
            "group-keys",
            ConfigResource.Type.GROUP,
            "conf-config-group",
            List.of("consumer.session.timeout.ms", "consumer.heartbeat.interval.ms")));
    cases.add(
        incrementalAlter(
            "topic-set", ConfigResource.Type.TOPIC, COMPACTED, "retention.ms", "86400000", false));
    cases.add(
        incrementalAlter(
            "topic-unknown-config",
            ConfigResource.Type.TOPIC,
            COMPACTED,
            "no.such.config",
            "1",
            false));
    cases.add(
        incrementalAlter(
            "topic-invalid-value",
            ConfigResource.Type.TOPIC,
            COMPACTED,
            "retention.ms",
            "x",
            false));
    cases.add(
        incrementalAlter(
            "unknown-topic",
            ConfigResource.Type.TOPIC,
            "conf-no-such-topic",
            "retention.ms",
            "1000",
            false));
    cases.add(
        incrementalAlter(
            "group-set",
            ConfigResource.Type.GROUP,
            "conf-config-group",
            "consumer.session.timeout.ms",
            "50000",
            false));
    cases.add(
        incrementalAlter(
            "group-validate-only",
            ConfigResource.Type.GROUP,
            "conf-config-group",
            "consumer.heartbeat.interval.ms",
            "6000",
            true));
    cases.add(
        Case.of(
            ApiKeys.DESCRIBE_CONFIGS,
            "group-after-set",
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) ->
                    alter(
                        ConfigResource.Type.GROUP,
                        "conf-config-group-2",
                        "consumer.session.timeout.ms",
                        "50000",
                        false)),
            Exchange.of(
                    ApiKeys.DESCRIBE_CONFIGS,
                    (s, v) ->
                        describe(
                            ConfigResource.Type.GROUP,
                            "conf-config-group-2",
                            List.of("consumer.session.timeout.ms")))
                // Kafka applies a group config through its controller, after it answered.
                .until(r -> r.toString().contains("value='50000'"))));
    cases.add(
        Case.of(
            ApiKeys.ALTER_CONFIGS,
            "topic-set",
            Exchange.of(
                ApiKeys.ALTER_CONFIGS,
                (s, v) -> {
                  AlterConfigsRequestData.AlterableConfigCollection configs =
                      new AlterConfigsRequestData.AlterableConfigCollection();
                  configs.add(
                      new AlterConfigsRequestData.AlterableConfig()
                          .setName("cleanup.policy")
                          .setValue("compact"));
                  AlterConfigsRequestData.AlterConfigsResourceCollection rs =
                      new AlterConfigsRequestData.AlterConfigsResourceCollection();
                  rs.add(
                      new AlterConfigsRequestData.AlterConfigsResource()
                          .setResourceType(ConfigResource.Type.TOPIC.id())
                          .setResourceName(COMPACTED)
                          .setConfigs(configs));
                  return new AlterConfigsRequestData().setResources(rs);
                })));
    return cases;
  }

  static short rf(SideContext s) {
    return (short) s.nodes().size();
  }

  static CreateTopicsRequestData create(
      String name, int partitions, short replicationFactor, boolean validateOnly) {
    CreateTopicsRequestData.CreatableTopicCollection topics =
        new CreateTopicsRequestData.CreatableTopicCollection();
    topics.add(
        new CreatableTopic()
            .setName(name)
            .setNumPartitions(partitions)
            .setReplicationFactor(replicationFactor));
    return new CreateTopicsRequestData()
        .setTopics(topics)
        .setTimeoutMs(10_000)
        .setValidateOnly(validateOnly);
  }

  private static DeleteTopicsRequestData delete(short v, String name) {
    DeleteTopicsRequestData d = new DeleteTopicsRequestData().setTimeoutMs(10_000);
    if (v >= 6) {
      d.setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(name)));
    } else {
      d.setTopicNames(List.of(name));
    }
    return d;
  }

  private static CreatePartitionsRequestData partitions(String topic, int count, boolean validate) {
    CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
        new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
    topics.add(
        new CreatePartitionsRequestData.CreatePartitionsTopic()
            .setName(topic)
            .setCount(count)
            .setAssignments(null));
    return new CreatePartitionsRequestData()
        .setTopics(topics)
        .setTimeoutMs(10_000)
        .setValidateOnly(validate);
  }

  private static Case describeConfigs(
      String name, ConfigResource.Type type, String resource, List<String> keys) {
    return Case.of(
        ApiKeys.DESCRIBE_CONFIGS,
        name,
        Exchange.of(ApiKeys.DESCRIBE_CONFIGS, (s, v) -> describe(type, resource, keys)));
  }

  static DescribeConfigsRequestData describe(
      ConfigResource.Type type, String resource, List<String> keys) {
    return new DescribeConfigsRequestData()
        .setResources(
            List.of(
                new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(type.id())
                    .setResourceName(resource)
                    .setConfigurationKeys(keys.isEmpty() ? null : keys)));
  }

  private static Case incrementalAlter(
      String name,
      ConfigResource.Type type,
      String resource,
      String key,
      String value,
      boolean validateOnly) {
    return Case.of(
        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
        name,
        Exchange.of(
            ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            (s, v) -> alter(type, resource, key, value, validateOnly)));
  }

  static IncrementalAlterConfigsRequestData alter(
      ConfigResource.Type type, String resource, String key, String value, boolean validateOnly) {
    IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
        new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
    configs.add(
        new IncrementalAlterConfigsRequestData.AlterableConfig()
            .setName(key)
            .setConfigOperation((byte) 0)
            .setValue(value));
    IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection rs =
        new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
    rs.add(
        new IncrementalAlterConfigsRequestData.AlterConfigsResource()
            .setResourceType(type.id())
            .setResourceName(resource)
            .setConfigs(configs));
    return new IncrementalAlterConfigsRequestData().setResources(rs).setValidateOnly(validateOnly);
  }
}
