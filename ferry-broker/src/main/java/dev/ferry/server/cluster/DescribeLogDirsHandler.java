package dev.ferry.server.cluster;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.storage.LogManager;
import dev.ferry.storage.PartitionLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * DescribeLogDirs: each of this broker's {@code log.dirs} with the partitions it holds (size on
 * disk and how far the replica's log end is behind the high watermark) and the space of its file
 * system. A request naming topics gets only those partitions; null topics means all. Answered on
 * the admin executor, since statting file systems may block.
 */
public final class DescribeLogDirsHandler extends ApiHandler<DescribeLogDirsRequest> {

  private final LogManager logs;
  private final Executor adminExecutor;

  public DescribeLogDirsHandler(LogManager logs, Executor adminExecutor) {
    super(ApiKeys.DESCRIBE_LOG_DIRS, DescribeLogDirsRequest.class);
    this.logs = logs;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeLogDirsRequest body) {
    return CompletableFuture.supplyAsync(() -> answer(body.data()), adminExecutor);
  }

  private AbstractResponse answer(DescribeLogDirsRequestData req) {
    Map<String, Set<Integer>> wanted = null;
    if (req.topics() != null) {
      wanted = new HashMap<>();
      for (DescribableLogDirTopic t : req.topics()) {
        wanted.computeIfAbsent(t.topic(), k -> new java.util.HashSet<>()).addAll(t.partitions());
      }
    }
    Map<Path, Map<String, List<DescribeLogDirsPartition>>> byDir = new TreeMap<>();
    for (Path dir : logs.logDirs()) {
      byDir.put(dir.toAbsolutePath().normalize(), new TreeMap<>());
    }
    for (PartitionLog log : logs.all()) {
      TopicPartition tp = log.topicPartition();
      if (wanted != null
          && (!wanted.containsKey(tp.topic())
              || !wanted.get(tp.topic()).contains(tp.partition()))) {
        continue;
      }
      Path dir = log.dir().toAbsolutePath().normalize().getParent();
      Map<String, List<DescribeLogDirsPartition>> topics = byDir.get(dir);
      if (topics == null) {
        continue;
      }
      topics
          .computeIfAbsent(tp.topic(), k -> new ArrayList<>())
          .add(
              new DescribeLogDirsPartition()
                  .setPartitionIndex(tp.partition())
                  .setPartitionSize(log.sizeInBytes())
                  .setOffsetLag(Math.max(0, log.highWatermark() - log.logEndOffset()))
                  .setIsFutureKey(false));
    }
    DescribeLogDirsResponseData response =
        new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
    byDir.forEach(
        (dir, topics) -> {
          DescribeLogDirsResult result =
              new DescribeLogDirsResult()
                  .setErrorCode(Errors.NONE.code())
                  .setLogDir(dir.toString());
          if (logs.dirFailureChannel().isOffline(dir)) {
            // A failed dir: no partitions, no sizes (as Kafka answers for an offline dir).
            response.results().add(result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()));
            return;
          }
          topics.forEach(
              (name, partitions) ->
                  result
                      .topics()
                      .add(new DescribeLogDirsTopic().setName(name).setPartitions(partitions)));
          try {
            FileStore store = Files.getFileStore(dir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
          } catch (IOException e) {
            result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
          }
          response.results().add(result);
        });
    return new DescribeLogDirsResponse(response);
  }
}
