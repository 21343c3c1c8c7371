package dev.ferry.metadata.zk;

import dev.ferry.metadata.EntityConfigStore;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.kafka.common.KafkaException;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EntityConfigStore} in ZooKeeper: one znode per entity, {@code
 * /ferry/config/<type>/<url-encoded name>}, holding {@code {version, config}} like a topic config.
 * Watches are Curator caches of the type's znode; their callbacks are passed on to the store's
 * event executor so that watchers never run on a ZooKeeper thread.
 */
final class ZkEntityConfigs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ZkEntityConfigs.class);

  private final CuratorFramework client;
  private final ExecutorService events;
  private final List<CuratorCache> caches = new ArrayList<>();

  ZkEntityConfigs(CuratorFramework client, ExecutorService events) {
    this.client = client;
    this.events = events;
  }

  static String path(String type) {
    return ZkPaths.ROOT + "/config/" + type;
  }

  static String path(String type, String name) {
    return path(type) + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  Map<String, String> get(String type, String name) {
    try {
      return ZNodeCodec.decodeTopicConfig(
          type + " " + name, client.getData().forPath(path(type, name)));
    } catch (KeeperException.NoNodeException e) {
      return Map.of();
    } catch (Exception e) {
      throw ZkErrors.translate("reading the configs of " + type + " " + name, e);
    }
  }

  void set(String type, String name, Map<String, String> configs) {
    String path = path(type, name);
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
      throw ZkErrors.translate("writing the configs of " + type + " " + name, e);
    }
  }

  Map<String, Map<String, String>> all(String type) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    try {
      List<String> children;
      try {
        children = client.getChildren().forPath(path(type));
      } catch (KeeperException.NoNodeException e) {
        return out;
      }
      for (String child : children) {
        String name = URLDecoder.decode(child, StandardCharsets.UTF_8);
        Map<String, String> c = get(type, name);
        if (!c.isEmpty()) {
          out.put(name, c);
        }
      }
      return out;
    } catch (Exception e) {
      throw ZkErrors.translate("reading the configs of every " + type, e);
    }
  }

  synchronized void watch(String type, Consumer<Map<String, Map<String, String>>> listener) {
    String root = path(type);
    try {
      client.create().creatingParentsIfNeeded().forPath(root);
    } catch (KeeperException.NodeExistsException e) {
      // Usual.
    } catch (Exception e) {
      throw ZkErrors.translate("creating " + root, e);
    }
    CuratorCache cache = CuratorCache.build(client, root);
    cache
        .listenable()
        .addListener(
            (eventType, oldData, data) -> events.execute(() -> publish(cache, root, listener)));
    caches.add(cache);
    cache.start();
    events.execute(() -> publish(cache, root, listener));
  }

  private static void publish(
      CuratorCache cache, String root, Consumer<Map<String, Map<String, String>>> listener) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    cache.stream()
        .filter(d -> d.getPath().startsWith(root + "/"))
        .forEach(d -> decode(root, d, out));
    try {
      listener.accept(out);
    } catch (RuntimeException e) {
      log.error("Entity config watcher of {} failed", root, e);
    }
  }

  private static void decode(String root, ChildData d, Map<String, Map<String, String>> out) {
    String child = d.getPath().substring(root.length() + 1);
    if (child.indexOf('/') >= 0 || d.getData() == null || d.getData().length == 0) {
      return;
    }
    String name = URLDecoder.decode(child, StandardCharsets.UTF_8);
    try {
      out.put(name, ZNodeCodec.decodeTopicConfig(root + "/" + name, d.getData()));
    } catch (KafkaException e) {
      log.warn("Ignoring unreadable znode {}: {}", d.getPath(), e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    caches.forEach(CuratorCache::close);
    caches.clear();
  }
}
