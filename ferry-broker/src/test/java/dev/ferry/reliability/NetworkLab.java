package dev.ferry.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small network whose links a test can cut: every host (a broker) in a Linux network namespace of
 * its own, joined to a bridge in the test's namespace by a veth pair, all on one private /24. The
 * test JVM (the clients) reaches the hosts through the bridge at {@code .254}; ZooKeeper runs in
 * the test's namespace too, but is reached at a second bridge address, {@code .250}, so that a host
 * can lose ZooKeeper and keep its clients.
 *
 * <p>A cut is a blackhole route in a host's namespace: its packets to that address are dropped (new
 * connections fail at once, established ones stall until TCP gives up), while the process runs on,
 * as on a real partition, unlike SIGSTOP. Cuts between hosts are symmetric.
 *
 * <p>Needs root (CAP_NET_ADMIN) and iproute2; {@link #create} says why not when they are missing.
 * Names carry a random id, so parallel runs on one machine do not collide.
 */
final class NetworkLab implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NetworkLab.class);

  /** The test's own address on the bridge: where clients come from. */
  static final int CLIENTS = 254;

  /** The bridge address ZooKeeper is reached at. */
  static final int ZOOKEEPER = 250;

  private final String id;
  private final String subnet;
  private final int hosts;
  private final Set<String> routes = new LinkedHashSet<>();
  private boolean bridgeUp;
  private final List<String> namespaces = new ArrayList<>();

  private NetworkLab(String id, String subnet, int hosts) {
    this.id = id;
    this.subnet = subnet;
    this.hosts = hosts;
  }

  /** A lab of {@code hosts} namespaces, or why it cannot be made here. */
  static Result create(int hosts) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String id = Integer.toHexString(0x1000 + random.nextInt(0xEFFF));
    String subnet = "10." + (100 + random.nextInt(150)) + "." + random.nextInt(256) + ".";
    NetworkLab lab = new NetworkLab(id, subnet, hosts);
    try {
      lab.build();
      return new Result(Optional.of(lab), null);
    } catch (IOException | RuntimeException e) {
      lab.close();
      return new Result(Optional.empty(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lab.close();
      return new Result(Optional.empty(), "interrupted");
    }
  }

  /** A lab, or the reason there is none. */
  record Result(Optional<NetworkLab> lab, String whyNot) {}

  private String bridge() {
    return "fb" + id;
  }

  private void build() throws IOException, InterruptedException {
    ip("link", "add", bridge(), "type", "bridge");
    bridgeUp = true;
    ip("addr", "add", address(CLIENTS) + "/24", "dev", bridge());
    ip("addr", "add", address(ZOOKEEPER) + "/32", "dev", bridge());
    ip("link", "set", bridge(), "up");
    for (int h = 0; h < hosts; h++) {
      String ns = namespace(h);
      ip("netns", "add", ns);
      namespaces.add(ns);
      String outside = "fh" + id + h;
      String inside = "fn" + id + h;
      ip("link", "add", outside, "type", "veth", "peer", "name", inside);
      ip("link", "set", inside, "netns", ns);
      ip("link", "set", outside, "master", bridge());
      ip("link", "set", outside, "up");
      ip("-n", ns, "addr", "add", address(h + 1) + "/24", "dev", inside);
      ip("-n", ns, "link", "set", inside, "up");
      ip("-n", ns, "link", "set", "lo", "up");
      // ZooKeeper's bridge address is outside the /24's connected route only by its /32 mask.
      ip("-n", ns, "route", "add", address(ZOOKEEPER) + "/32", "dev", inside);
    }
  }

  /** The address of {@code .last} on the lab's subnet. */
  String address(int last) {
    return subnet + last;
  }

  /** Host {@code h}'s address (hosts are numbered from 0). */
  String hostAddress(int h) {
    return address(h + 1);
  }

  String zooKeeperAddress() {
    return address(ZOOKEEPER);
  }

  /** The command that runs a process in host {@code h}'s namespace (it execs: same pid). */
  List<String> launcher(int h) {
    return List.of("ip", "netns", "exec", namespace(h));
  }

  private String namespace(int h) {
    return "fx" + id + "h" + h;
  }

  /** Drops traffic both ways between hosts {@code a} and {@code b}. */
  void cut(int a, int b) throws IOException, InterruptedException {
    drop(a, hostAddress(b));
    drop(b, hostAddress(a));
  }

  /** Drops host {@code h}'s traffic to ZooKeeper (its clients still reach it). */
  void cutFromZooKeeper(int h) throws IOException, InterruptedException {
    // The /32 route to ZooKeeper is replaced by a blackhole of the same prefix.
    ip("-n", namespace(h), "route", "replace", "blackhole", address(ZOOKEEPER) + "/32");
    routes.add(h + " " + address(ZOOKEEPER));
  }

  /** Drops host {@code h}'s traffic to the clients (the test JVM). */
  void cutFromClients(int h) throws IOException, InterruptedException {
    drop(h, address(CLIENTS));
  }

  private void drop(int h, String address) throws IOException, InterruptedException {
    if (routes.add(h + " " + address)) {
      ip("-n", namespace(h), "route", "add", "blackhole", address + "/32");
    }
  }

  /** Removes every cut. */
  void heal() throws IOException, InterruptedException {
    for (String r : routes) {
      String[] f = r.split(" ");
      String ns = namespace(Integer.parseInt(f[0]));
      if (f[1].equals(address(ZOOKEEPER))) {
        ip("-n", ns, "route", "replace", f[1] + "/32", "dev", "fn" + id + f[0]);
      } else {
        ip("-n", ns, "route", "del", "blackhole", f[1] + "/32");
      }
    }
    routes.clear();
  }

  /** The cuts in force, as "host address" pairs. */
  Set<String> cuts() {
    return Set.copyOf(routes);
  }

  @Override
  public void close() {
    for (String ns : namespaces) {
      try {
        ip("netns", "del", ns); // takes the veth pair with it
      } catch (IOException | RuntimeException e) {
        log.warn("Could not delete network namespace {}: {}", ns, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (bridgeUp) {
      try {
        ip("link", "del", bridge());
      } catch (IOException | RuntimeException e) {
        log.warn("Could not delete bridge {}: {}", bridge(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish within 10 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
