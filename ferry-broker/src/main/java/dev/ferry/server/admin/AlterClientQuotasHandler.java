package dev.ferry.server.admin;

import dev.ferry.controller.ClientQuotaAdmin;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;
import org.apache.kafka.common.requests.ApiError;

/** AlterClientQuotas: each entity's changes are validated and stored on their own. */
public final class AlterClientQuotasHandler extends ApiHandler<AlterClientQuotasRequest> {

  private final ClientQuotaAdmin quotas;

  public AlterClientQuotasHandler(ClientQuotaAdmin quotas) {
    super(ApiKeys.ALTER_CLIENT_QUOTAS, AlterClientQuotasRequest.class);
    this.quotas = quotas;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AlterClientQuotasRequest body) {
    List<CompletableFuture<AlterClientQuotasResponseData.EntryData>> entries = new ArrayList<>();
    for (EntryData entry : body.data().entries()) {
      CompletableFuture<Void> change;
      try {
        List<ClientQuotaAdmin.Op> ops = new ArrayList<>();
        for (OpData op : entry.ops()) {
          ops.add(new ClientQuotaAdmin.Op(op.key(), op.value(), op.remove()));
        }
        change = quotas.alter(entity(entry.entity()), ops, body.data().validateOnly());
      } catch (RuntimeException e) {
        change = CompletableFuture.failedFuture(e);
      }
      entries.add(
          change.handle(
              (done, e) -> {
                ApiError error =
                    e == null ? ApiError.NONE : ApiError.fromThrowable(AdminFutures.cause(e));
                AlterClientQuotasResponseData.EntryData out =
                    new AlterClientQuotasResponseData.EntryData()
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message());
                for (EntityData d : entry.entity()) {
                  out.entity()
                      .add(
                          new AlterClientQuotasResponseData.EntityData()
                              .setEntityType(d.entityType())
                              .setEntityName(d.entityName()));
                }
                return out;
              }));
    }
    return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
              entries.forEach(f -> response.entries().add(f.join()));
              return new AlterClientQuotasResponse(response);
            });
  }

  private static Map<String, String> entity(List<EntityData> components) {
    Map<String, String> out = new HashMap<>();
    for (EntityData d : components) {
      if (out.containsKey(d.entityType())) {
        throw new InvalidRequestException("Duplicate " + d.entityType() + " in the entity");
      }
      out.put(d.entityType(), d.entityName());
    }
    return out;
  }
}
