package dev.ferry.security.scram;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.security.SecurityZooKeeper;
import java.io.Closeable;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.KafkaException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SCRAM credentials (salt, stored key, server key, iterations — never a password) in ZooKeeper, one
 * znode per user, mirrored into memory on every broker by a watch so authentication never waits on
 * ZooKeeper. Writes are compare-and-set on the znode version.
 */
public final class ScramCredentialStore implements ScramCredentialSource, Closeable {

  private static final Logger log = LoggerFactory.getLogger(ScramCredentialStore.class);
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  record CredentialJson(String salt, String storedKey, String serverKey, int iterations) {}

  record UserJson(int version, Map<String, CredentialJson> credentials) {}

  private final CuratorFramework client;
  private final CuratorCache cache;
  private final Map<String, Map<ScramMechanism, ScramCredential>> users = new ConcurrentHashMap<>();
  private final CountDownLatch initialized = new CountDownLatch(1);

  public ScramCredentialStore(SecurityZooKeeper zk) {
    this.client = zk.client();
    this.cache = CuratorCache.build(client, SecurityZooKeeper.SCRAM);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> load(after))
                .forDeletes(this::remove)
                .forInitialized(initialized::countDown)
                .build());
  }

  /** Starts watching and waits (bounded) for the first full load. */
  public ScramCredentialStore start(long timeoutMs) {
    cache.start();
    try {
      if (!initialized.await(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new KafkaException("SCRAM credentials not loaded within " + timeoutMs + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while loading SCRAM credentials");
    }
    return this;
  }

  private void load(ChildData node) {
    String user = userOf(node.getPath());
    if (user == null) {
      return;
    }
    try {
      users.put(user, decode(node.getData()));
    } catch (IOException | RuntimeException e) {
      log.error(
          "Ignoring unreadable SCRAM credentials of a user at {}: {}",
          node.getPath(),
          e.toString());
    }
  }

  private void remove(ChildData node) {
    String user = userOf(node.getPath());
    if (user != null) {
      users.remove(user);
    }
  }

  private static String userOf(String path) {
    if (!path.startsWith(SecurityZooKeeper.SCRAM + "/")) {
      return null;
    }
    return URLDecoder.decode(
        path.substring(SecurityZooKeeper.SCRAM.length() + 1), StandardCharsets.UTF_8);
  }

  private static String pathOf(String user) {
    return SecurityZooKeeper.SCRAM + "/" + URLEncoder.encode(user, StandardCharsets.UTF_8);
  }

  @Override
  public Optional<ScramCredential> credential(String user, ScramMechanism mechanism) {
    Map<ScramMechanism, ScramCredential> credentials = users.get(user);
    return credentials == null ? Optional.empty() : Optional.ofNullable(credentials.get(mechanism));
  }

  /** Every user with the mechanisms and iterations of their credentials (cached view). */
  public Map<String, Map<ScramMechanism, Integer>> describe() {
    Map<String, Map<ScramMechanism, Integer>> out = new TreeMap<>();
    users.forEach(
        (user, credentials) -> {
          Map<ScramMechanism, Integer> m = new EnumMap<>(ScramMechanism.class);
          credentials.forEach((mech, c) -> m.put(mech, c.iterations()));
          if (!m.isEmpty()) {
            out.put(user, m);
          }
        });
    return out;
  }

  /** Reads a user's credentials from ZooKeeper itself (blocking; admin thread). */
  public Map<ScramMechanism, ScramCredential> read(String user) {
    try {
      return decode(client.getData().forPath(pathOf(user)));
    } catch (KeeperException.NoNodeException e) {
      return new EnumMap<>(ScramMechanism.class);
    } catch (Exception e) {
      throw new KafkaException("Cannot read SCRAM credentials of " + user, e);
    }
  }

  /**
   * Sets or removes one mechanism's credential of a user (blocking; admin thread).
   *
   * @param credential null to delete it
   * @return false if there was nothing to delete
   */
  public boolean update(String user, ScramMechanism mechanism, ScramCredential credential) {
    String path = pathOf(user);
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        Stat stat = new Stat();
        Map<ScramMechanism, ScramCredential> current;
        boolean exists;
        try {
          current = decode(client.getData().storingStatIn(stat).forPath(path));
          exists = true;
        } catch (KeeperException.NoNodeException e) {
          current = new EnumMap<>(ScramMechanism.class);
          exists = false;
        }
        if (credential == null && !current.containsKey(mechanism)) {
          return false;
        }
        if (credential == null) {
          current.remove(mechanism);
        } else {
          current.put(mechanism, credential);
        }
        if (current.isEmpty()) {
          client.delete().withVersion(stat.getVersion()).forPath(path);
          users.remove(user);
        } else {
          if (exists) {
            client.setData().withVersion(stat.getVersion()).forPath(path, encode(current));
          } else {
            client.create().creatingParentContainersIfNeeded().forPath(path, encode(current));
          }
          // Visible here at once; the watch brings it to the other brokers.
          users.put(user, current);
        }
        return true;
      } catch (KeeperException.BadVersionException
          | KeeperException.NodeExistsException
          | KeeperException.NoNodeException e) {
        // Another broker wrote this user meanwhile: read again.
      } catch (Exception e) {
        throw new KafkaException("Cannot update SCRAM credentials of " + user, e);
      }
    }
    throw new KafkaException("SCRAM credentials of " + user + " kept changing; try again");
  }

  private static byte[] encode(Map<ScramMechanism, ScramCredential> credentials)
      throws IOException {
    Map<String, CredentialJson> out = new TreeMap<>();
    Base64.Encoder b64 = Base64.getEncoder();
    credentials.forEach(
        (m, c) ->
            out.put(
                m.mechanismName(),
                new CredentialJson(
                    b64.encodeToString(c.salt()),
                    b64.encodeToString(c.storedKey()),
                    b64.encodeToString(c.serverKey()),
                    c.iterations())));
    return JSON.writeValueAsBytes(new UserJson(1, out));
  }

  private static Map<ScramMechanism, ScramCredential> decode(byte[] data) throws IOException {
    Map<ScramMechanism, ScramCredential> out = new EnumMap<>(ScramMechanism.class);
    if (data == null || data.length == 0) {
      return out;
    }
    UserJson json = JSON.readValue(data, UserJson.class);
    if (json.version() != 1) {
      throw new IOException("unknown version " + json.version());
    }
    Base64.Decoder b64 = Base64.getDecoder();
    if (json.credentials() != null) {
      json.credentials()
          .forEach(
              (name, c) ->
                  ScramMechanism.forName(name)
                      .ifPresent(
                          m ->
                              out.put(
                                  m,
                                  new ScramCredential(
                                      b64.decode(c.salt()),
                                      b64.decode(c.storedKey()),
                                      b64.decode(c.serverKey()),
                                      c.iterations()))));
    }
    return out;
  }

  @Override
  public void close() {
    cache.close();
  }
}
