package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.metadata.zk.EmbeddedZooKeeper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two mirrors of one subtree stand for two brokers: a write through one is seen by the writer at
 * once and by the other through its watch; an empty value deletes the znode.
 */
class ZnodeMirrorTest {

  private static final String ROOT = "/mirror";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir static Path zkDir;
  private static EmbeddedZooKeeper zk;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicInteger changes = new AtomicInteger();
  private CuratorFramework client;

  /** A set of words per key, stored as one comma-separated znode. */
  private static final class Words implements ZnodeMirror.Codec<String, TreeSet<String>> {
    private final String root;

    Words(String root) {
      this.root = root;
    }

    @Override
    public String pathOf(String key) {
      return root + "/" + key;
    }

    @Override
    public String keyOf(String path) {
      return path.startsWith(root + "/") ? path.substring(root.length() + 1) : null;
    }

    @Override
    public byte[] encode(TreeSet<String> value) {
      return String.join(",", value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public TreeSet<String> decode(byte[] data) throws IOException {
      TreeSet<String> out = new TreeSet<>();
      if (data != null && data.length > 0) {
        String text = new String(data, StandardCharsets.UTF_8);
        if (text.startsWith("!")) {
          throw new IOException("unreadable");
        }
        out.addAll(List.of(text.split(",")));
      }
      return out;
    }

    @Override
    public boolean isEmpty(TreeSet<String> value) {
      return value.isEmpty();
    }
  }

  @BeforeAll
  static void startZooKeeper() {
    zk = EmbeddedZooKeeper.start(zkDir, 0);
  }

  @AfterAll
  static void stopZooKeeper() {
    zk.close();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private ZnodeMirror<String, TreeSet<String>> mirror(String root) {
    if (client == null) {
      client = CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100));
      client.start();
      closeables.add(client);
    }
    ZnodeMirror<String, TreeSet<String>> mirror =
        new ZnodeMirror<>(client, root, "words", new Words(root), changes::incrementAndGet);
    closeables.add(0, mirror);
    mirror.start(WAIT.toMillis());
    return mirror;
  }

  private static String root() {
    return ROOT + ROOTS.incrementAndGet();
  }

  @Test
  void aWriteIsSeenByTheWriterAtOnceAndByTheOtherMirrorThroughItsWatch() throws Exception {
    String root = root();
    ZnodeMirror<String, TreeSet<String>> writer = mirror(root);
    ZnodeMirror<String, TreeSet<String>> other = mirror(root);

    assertThat(writer.update("k", words -> words.add("a"))).isTrue();
    assertThat(writer.view()).isEqualTo(Map.of("k", new TreeSet<>(List.of("a"))));
    await().atMost(WAIT).until(() -> other.view().containsKey("k"));
    assertThat(other.view().get("k")).containsExactly("a");

    assertThat(other.update("k", words -> words.add("b"))).isTrue();
    assertThat(other.read("k")).containsExactly("a", "b");
    await().atMost(WAIT).untilAsserted(() -> assertThat(writer.view().get("k")).hasSize(2));
    assertThat(new String(client.getData().forPath(root + "/k"), StandardCharsets.UTF_8))
        .isEqualTo("a,b");
    assertThat(changes.get()).isPositive();
  }

  @Test
  void aChangeThatChangesNothingWritesNothingAndAnEmptyValueDeletesTheZnode() throws Exception {
    String root = root();
    ZnodeMirror<String, TreeSet<String>> mirror = mirror(root);

    assertThat(mirror.update("k", words -> words.remove("absent"))).isFalse();
    assertThat(client.checkExists().forPath(root + "/k")).isNull();

    mirror.update("k", words -> words.add("a"));
    int version = client.checkExists().forPath(root + "/k").getVersion();
    assertThat(mirror.update("k", words -> words.add("a"))).isFalse();
    assertThat(client.checkExists().forPath(root + "/k").getVersion()).isEqualTo(version);

    assertThat(mirror.update("k", words -> words.remove("a"))).isTrue();
    assertThat(client.checkExists().forPath(root + "/k")).isNull();
    assertThat(mirror.view()).isEmpty();
    assertThat(mirror.read("k")).isEmpty();
  }

  @Test
  void aRacingWriterIsReadAgainSoNoChangeIsLost() throws Exception {
    String root = root();
    ZnodeMirror<String, TreeSet<String>> mirror = mirror(root);
    mirror.update("k", words -> words.add("a"));

    AtomicInteger attempts = new AtomicInteger();
    mirror.update(
        "k",
        words -> {
          if (attempts.incrementAndGet() == 1) {
            // Another broker writes between this mirror's read and its compare-and-set.
            try {
              client.setData().forPath(root + "/k", "a,x".getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
          return words.add("b");
        });

    assertThat(attempts.get()).isEqualTo(2);
    assertThat(mirror.read("k")).containsExactly("a", "b", "x");
    assertThat(mirror.view().get("k")).containsExactly("a", "b", "x");
  }

  @Test
  void znodesWrittenBeforeTheStartAreLoadedAndUnreadableOnesAreSkipped() throws Exception {
    String root = root();
    CuratorFramework raw =
        CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100));
    raw.start();
    closeables.add(raw);
    raw.create().creatingParentsIfNeeded().forPath(root + "/good", "a,b".getBytes());
    raw.create().forPath(root + "/bad", "!garbage".getBytes());

    ZnodeMirror<String, TreeSet<String>> mirror = mirror(root);

    assertThat(mirror.view()).containsOnlyKeys("good");
    assertThat(mirror.view().get("good")).containsExactly("a", "b");
  }
}
