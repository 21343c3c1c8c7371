package dev.ferry.metadata.zk;

import dev.ferry.metadata.GroupConfigStore;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Group config overrides in ZooKeeper, one znode per group under {@code /ferry/config/groups} in
 * the shape of a topic's config znode. A group id may contain any character, '/' included, so the
 * znode is named by the URL-encoded id.
 */
final class ZkGroupConfigStore implements GroupConfigStore {

  private final CuratorFramework client;

  ZkGroupConfigStore(CuratorFramework client) {
    this.client = client;
  }

  @Override
  public Map<String, String> groupConfigs(String groupId) {
    try {
      byte[] data = client.getData().forPath(ZkPaths.groupConfig(znodeName(groupId)));
      return ZNodeCodec.decodeTopicConfig("group " + groupId, data);
    } catch (KeeperException.NoNodeException e) {
      return Map.of();
    } catch (Exception e) {
      throw ZkErrors.translate("reading the configs of group " + groupId, e);
    }
  }

  @Override
  public Set<String> groupIdsWithConfigs() {
    Set<String> out = new TreeSet<>();
    try {
      for (String child : client.getChildren().forPath(ZkPaths.GROUP_CONFIGS)) {
        out.add(URLDecoder.decode(child, StandardCharsets.UTF_8));
      }
      return out;
    } catch (KeeperException.NoNodeException e) {
      return out;
    } catch (Exception e) {
      throw ZkErrors.translate("listing the groups with configs", e);
    }
  }

  @Override
  public void setGroupConfigs(String groupId, Map<String, String> configs) {
    String path = ZkPaths.groupConfig(znodeName(groupId));
    try {
      if (configs.isEmpty()) {
        client.delete().quietly().forPath(path);
        return;
      }
      byte[] data = ZNodeCodec.encodeTopicConfig(configs);
      try {
        client.setData().forPath(path, data);
      } catch (KeeperException.NoNodeException e) {
        client.create().creatingParentsIfNeeded().forPath(path, data);
      }
    } catch (Exception e) {
      throw ZkErrors.translate("writing the configs of group " + groupId, e);
    }
  }

  private static String znodeName(String groupId) {
    return URLEncoder.encode(groupId, StandardCharsets.UTF_8);
  }
}
