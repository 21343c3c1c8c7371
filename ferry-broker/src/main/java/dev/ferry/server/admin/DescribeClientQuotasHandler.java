package dev.ferry.server.admin;

import dev.ferry.controller.ClientQuotaAdmin;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntityData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.ValueData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

/**
 * DescribeClientQuotas: the entities matching every filter component (an exact name, the default,
 * or any specified name of that type); with {@code strict}, entities with other types are left out.
 */
public final class DescribeClientQuotasHandler extends ApiHandler<DescribeClientQuotasRequest> {

  private static final byte MATCH_EXACT = DescribeClientQuotasRequest.MATCH_TYPE_EXACT;
  private static final byte MATCH_DEFAULT = DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT;
  private static final byte MATCH_SPECIFIED = DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED;

  private final ClientQuotaAdmin quotas;

  public DescribeClientQuotasHandler(ClientQuotaAdmin quotas) {
    super(ApiKeys.DESCRIBE_CLIENT_QUOTAS, DescribeClientQuotasRequest.class);
    this.quotas = quotas;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeClientQuotasRequest body) {
    DescribeClientQuotasRequestData req = body.data();
    for (ComponentData c : req.components()) {
      if (c.matchType() != MATCH_EXACT
          && c.matchType() != MATCH_DEFAULT
          && c.matchType() != MATCH_SPECIFIED) {
        return CompletableFuture.completedFuture(
            body.getErrorResponse(
                0,
                new org.apache.kafka.common.errors.InvalidRequestException(
                    "Unknown match type " + c.matchType())));
      }
    }
    return quotas
        .all()
        .handle(
            (all, e) -> {
              if (e != null) {
                return body.getErrorResponse(0, AdminFutures.cause(e));
              }
              DescribeClientQuotasResponseData response =
                  new DescribeClientQuotasResponseData().setErrorCode(Errors.NONE.code());
              all.forEach(
                  (entity, values) -> {
                    if (matches(entity, req.components(), req.strict())) {
                      response.entries().add(entry(entity, values));
                    }
                  });
              return new DescribeClientQuotasResponse(response);
            });
  }

  private static boolean matches(
      Map<String, String> entity, List<ComponentData> components, boolean strict) {
    for (ComponentData c : components) {
      if (!entity.containsKey(c.entityType())) {
        return false;
      }
      String name = entity.get(c.entityType());
      boolean ok =
          switch (c.matchType()) {
            case MATCH_EXACT -> c.match() != null && c.match().equals(name);
            case MATCH_DEFAULT -> name == null;
            default -> name != null;
          };
      if (!ok) {
        return false;
      }
    }
    return !strict || entity.size() == components.size();
  }

  private static EntryData entry(Map<String, String> entity, Map<String, Double> values) {
    EntryData out = new EntryData();
    new TreeMap<>(entity)
        .forEach(
            (type, name) ->
                out.entity().add(new EntityData().setEntityType(type).setEntityName(name)));
    new TreeMap<>(values)
        .forEach((k, v) -> out.values().add(new ValueData().setKey(k).setValue(v)));
    return out;
  }
}
