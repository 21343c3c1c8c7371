package dev.ferry.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.network.NetworkRequest;
import dev.ferry.runtime.ManualClock;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class QuotaDispatcherTest {

  private static final int SESSION_ID = 77;

  private final ManualClock clock = new ManualClock(1_000_000L);
  private final ClientQuotas quotas = new ClientQuotas(clock);
  private final QuotaDispatcher dispatcher =
      new QuotaDispatcher(request -> CompletableFuture.completedFuture(answer()), quotas);

  @Test
  void aThrottledFetchKeepsItsPartitionsProgressButCarriesNoRecords() {
    // 1 KB/s for client "slow": an 8 KB answer puts it over at once.
    quotas
        .configs()
        .update(
            Map.of(
                QuotaEntities.key(null, QuotaEntities.enc("slow")),
                Map.of("consumer_byte_rate", "1000")));

    FetchResponseData second = fetch("slow");
    assertThat(second.throttleTimeMs()).isPositive();
    assertThat(second.sessionId()).isEqualTo(SESSION_ID);
    PartitionData p = second.responses().get(0).partitions().get(0);
    // What an incremental session has already recorded as sent reaches the client ...
    assertThat(p.partitionIndex()).isEqualTo(3);
    assertThat(p.highWatermark()).isEqualTo(120);
    assertThat(p.lastStableOffset()).isEqualTo(120);
    assertThat(p.logStartOffset()).isEqualTo(5);
    // ... but the records wait for the throttle, and were not counted against the quota.
    assertThat(p.records().sizeInBytes()).isZero();
    assertThat(quotas.fetch().sensors()).hasSize(1);

    FetchResponseData other = fetch("fast");
    assertThat(other.throttleTimeMs()).isZero();
    assertThat(other.responses().get(0).partitions().get(0).records().sizeInBytes())
        .isGreaterThan(8000);
  }

  private FetchResponseData fetch(String clientId) {
    FetchRequest body =
        new FetchRequest(
            new FetchRequestData().setReplicaId(-1).setSessionId(SESSION_ID), (short) 12);
    NetworkRequest request =
        new NetworkRequest(
            new RequestHeader(ApiKeys.FETCH, (short) 12, clientId, 1),
            body,
            100,
            "conn",
            InetAddress.getLoopbackAddress(),
            0L);
    return ((FetchResponse) dispatcher.dispatch(request).join()).data();
  }

  private static FetchResponse answer() {
    SimpleRecord[] records = new SimpleRecord[8];
    for (int i = 0; i < records.length; i++) {
      records[i] = new SimpleRecord(("k" + i).getBytes(), new byte[1024]);
    }
    MemoryRecords batch = MemoryRecords.withRecords(110L, Compression.NONE, records);
    return FetchResponse.of(
        new FetchResponseData()
            .setSessionId(SESSION_ID)
            .setResponses(
                List.of(
                    new FetchableTopicResponse()
                        .setTopic("t")
                        .setTopicId(Uuid.ZERO_UUID)
                        .setPartitions(
                            List.of(
                                new PartitionData()
                                    .setPartitionIndex(3)
                                    .setHighWatermark(120)
                                    .setLastStableOffset(120)
                                    .setLogStartOffset(5)
                                    .setRecords(batch))))));
  }
}
