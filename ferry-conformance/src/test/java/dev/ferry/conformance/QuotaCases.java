package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

/**
 * Client quotas: a quota set, described (once the reference's controller has applied it) and
 * removed; invalid keys and values and validate-only requests; descriptions that match nothing.
 * Entities are named per version so each run starts from nothing; one entity per request, as Kafka
 * answers several in hash order.
 */
final class QuotaCases {

  /** DescribeClientQuotas match types. */
  private static final byte EXACT = 0;

  private static final byte ANY = 2;

  private QuotaCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.ALTER_CLIENT_QUOTAS,
            "set-describe-remove",
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) ->
                    alter(
                        false,
                        entry("client-id", "conf-client-v" + v, "producer_byte_rate", 1024.0))),
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) ->
                    alter(false, entry("user", "conf-user-v" + v, "consumer_byte_rate", 2048.0))),
            Exchange.of(
                    ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                    (s, v) -> describe(true, component("client-id", EXACT, "conf-client-v" + v)))
                .until(QuotaCases::hasEntries),
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) ->
                    alter(
                        false,
                        entry("client-id", "conf-client-v" + v, "producer_byte_rate", null))),
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) ->
                    alter(false, entry("user", "conf-user-v" + v, "consumer_byte_rate", null))),
            Exchange.of(
                    ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                    (s, v) -> describe(false, component("user", EXACT, "conf-user-v" + v)))
                .until(r -> !hasEntries(r))));
    c.add(
        Case.of(
            ApiKeys.ALTER_CLIENT_QUOTAS,
            "validate-only-and-invalid",
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) ->
                    alter(true, entry("client-id", "conf-validate", "producer_byte_rate", 1.0))),
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) -> alter(false, entry("client-id", "conf-bad", "no_such_quota", 1.0))),
            Exchange.of(
                ApiKeys.ALTER_CLIENT_QUOTAS,
                (s, v) -> alter(false, entry("client-id", "conf-bad", "producer_byte_rate", -5.0))),
            Exchange.of(
                ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                (s, v) -> describe(false, component("client-id", EXACT, "conf-validate")))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_CLIENT_QUOTAS,
            "nothing-matches",
            Exchange.of(
                ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                (s, v) -> describe(true, component("user", EXACT, "conf-nobody"))),
            Exchange.of(
                ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                (s, v) ->
                    describe(
                        false,
                        component("user", EXACT, "conf-nobody"),
                        component("client-id", ANY, null)))));
    return c;
  }

  private static boolean hasEntries(org.apache.kafka.common.requests.AbstractResponse response) {
    DescribeClientQuotasResponseData data = ((DescribeClientQuotasResponse) response).data();
    return data.entries() != null && !data.entries().isEmpty();
  }

  private static EntryData entry(String type, String name, String key, Double value) {
    return new EntryData()
        .setEntity(List.of(new EntityData().setEntityType(type).setEntityName(name)))
        .setOps(
            List.of(
                new OpData()
                    .setKey(key)
                    .setValue(value == null ? 0 : value)
                    .setRemove(value == null)));
  }

  private static AlterClientQuotasRequestData alter(boolean validateOnly, EntryData... entries) {
    return new AlterClientQuotasRequestData()
        .setValidateOnly(validateOnly)
        .setEntries(List.of(entries));
  }

  private static ComponentData component(String type, byte matchType, String match) {
    return new ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
  }

  private static DescribeClientQuotasRequestData describe(
      boolean strict, ComponentData... components) {
    return new DescribeClientQuotasRequestData()
        .setStrict(strict)
        .setComponents(List.of(components));
  }
}
