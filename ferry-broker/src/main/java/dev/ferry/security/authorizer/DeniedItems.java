package dev.ferry.security.authorizer;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * The one shape of every per-item check: the items the principal may not use leave the request
 * before the handler sees it, and their refusals join the handler's answer afterwards. Kafka
 * answers each refused item in place with an authorization error, never the whole request.
 */
final class DeniedItems {

  private DeniedItems() {}

  /** Removes the items {@code allowed} rejects and returns them. */
  static <T> List<T> removeDenied(Collection<T> items, Predicate<T> allowed) {
    List<T> denied = new ArrayList<>();
    Iterator<T> it = items.iterator();
    while (it.hasNext()) {
      T item = it.next();
      if (!allowed.test(item)) {
        denied.add(item);
        it.remove();
      }
    }
    return denied;
  }

  /** The refusal of each denied item, built from the request alone. */
  static <T, A> List<A> refusals(Collection<T> denied, Function<T, A> refusal) {
    List<A> out = new ArrayList<>(denied.size());
    for (T item : denied) {
      out.add(refusal.apply(item));
    }
    return out;
  }

  /**
   * Dispatches what is left of the request and adds {@code refusals} to the answer's list that
   * {@code results} names. A null answer (acks=0 produce) stays null.
   */
  static <R extends AbstractResponse, A> CompletableFuture<AbstractResponse> answerWith(
      NetworkRequest request,
      RequestDispatcher next,
      List<A> refusals,
      Class<R> type,
      Function<R, Collection<A>> results) {
    if (refusals.isEmpty()) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              if (r != null) {
                results.apply(type.cast(r)).addAll(refusals);
              }
              return r;
            });
  }

  /**
   * As {@link #answerWith} for a group's offset APIs, whose answer may carry a group-level error:
   * that error answers the whole request, so the refusals join only an answer without one. Kafka
   * lists the refused items first or last depending on the API.
   */
  static <R extends AbstractResponse, A> CompletableFuture<AbstractResponse> answerGroupWith(
      NetworkRequest request,
      RequestDispatcher next,
      List<A> refusals,
      Class<R> type,
      ToIntFunction<R> groupError,
      BiConsumer<R, List<A>> join) {
    if (refusals.isEmpty()) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              R response = type.cast(r);
              if (groupError.applyAsInt(response) == Errors.NONE.code()) {
                join.accept(response, refusals);
              }
              return r;
            });
  }
}
