package dev.ferry.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.junit.jupiter.api.Test;

/** The real kafka-clients Admin, over real sockets, against the server and a canned dispatcher. */
class AdminClientCompatibilityTest {

  @Test
  void describeClusterReturnsTheNodeFromMetadata() throws Exception {
    List<ApiKeys> seen = new CopyOnWriteArrayList<>();
    SocketServerConfig config = SocketServerConfig.defaults("127.0.0.1", 0);
    SocketServer[] holder = new SocketServer[1];
    RequestDispatcher dispatcher =
        request -> {
          seen.add(request.header().apiKey());
          AbstractResponse response;
          if (request.body() instanceof ApiVersionsRequest apiVersions) {
            response = FixedResponses.apiVersions(apiVersions, 0);
          } else if (request.header().apiKey() == ApiKeys.METADATA) {
            response =
                FixedResponses.metadata(holder[0].boundPort(), request.header().apiVersion());
          } else {
            return CompletableFuture.failedFuture(
                new UnsupportedVersionException("not in this test"));
          }
          return CompletableFuture.completedFuture(response);
        };
    try (SocketServer server = new SocketServer(config, dispatcher)) {
      holder[0] = server;
      server.start();
      Map<String, Object> adminConfig =
          Map.of(
              AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + server.boundPort(),
              AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
              AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
      try (Admin admin = Admin.create(adminConfig)) {
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = cluster.nodes().get(20, TimeUnit.SECONDS);
        assertThat(nodes)
            .singleElement()
            .satisfies(
                node -> {
                  assertThat(node.id()).isEqualTo(FixedResponses.NODE_ID);
                  assertThat(node.host()).isEqualTo("127.0.0.1");
                  assertThat(node.port()).isEqualTo(server.boundPort());
                });
        assertThat(cluster.clusterId().get(20, TimeUnit.SECONDS))
            .isEqualTo(FixedResponses.CLUSTER_ID);
        assertThat(cluster.controller().get(20, TimeUnit.SECONDS).id())
            .isEqualTo(FixedResponses.NODE_ID);
      }
    }
    assertThat(seen).contains(ApiKeys.API_VERSIONS, ApiKeys.METADATA);
  }
}
