package dev.ferry.security.authorizer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.security.SecurityZooKeeper;
import dev.ferry.security.ZnodeMirror;
import java.io.Closeable;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ACLs in ZooKeeper, one znode per resource pattern, mirrored on every broker by a watch (a change
 * made through any broker reaches the others within milliseconds). Readers see an immutable
 * snapshot, swapped whole on each change, so authorization never locks nor waits.
 */
public final class AclStore implements Closeable {

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  record AclJson(String principal, String host, String operation, String permissionType) {}

  record PatternJson(int version, List<AclJson> acls) {}

  /** Immutable view of every ACL, indexed for lookups by resource. */
  static final class Snapshot {
    final Map<ResourcePattern, Set<AccessControlEntry>> all;
    final Map<ResourceType, List<Map.Entry<String, Set<AccessControlEntry>>>> prefixed;

    Snapshot(Map<ResourcePattern, Set<AccessControlEntry>> all) {
      this.all = Map.copyOf(all);
      Map<ResourceType, List<Map.Entry<String, Set<AccessControlEntry>>>> p =
          new EnumMap<>(ResourceType.class);
      all.forEach(
          (pattern, acls) -> {
            if (pattern.patternType() == PatternType.PREFIXED) {
              p.computeIfAbsent(pattern.resourceType(), t -> new ArrayList<>())
                  .add(Map.entry(pattern.name(), acls));
            }
          });
      this.prefixed = p;
    }

    /** The ACLs of every pattern that matches the resource: literal, wildcard and prefixed. */
    List<AccessControlEntry> matching(ResourceType type, String name) {
      List<AccessControlEntry> out = new ArrayList<>();
      Set<AccessControlEntry> literal =
          all.get(new ResourcePattern(type, name, PatternType.LITERAL));
      if (literal != null) {
        out.addAll(literal);
      }
      Set<AccessControlEntry> wildcard =
          all.get(
              new ResourcePattern(type, ResourcePattern.WILDCARD_RESOURCE, PatternType.LITERAL));
      if (wildcard != null) {
        out.addAll(wildcard);
      }
      List<Map.Entry<String, Set<AccessControlEntry>>> prefixes = prefixed.get(type);
      if (prefixes != null) {
        for (Map.Entry<String, Set<AccessControlEntry>> e : prefixes) {
          if (name.startsWith(e.getKey())) {
            out.addAll(e.getValue());
          }
        }
      }
      return out;
    }
  }

  private final ZnodeMirror<ResourcePattern, Set<AccessControlEntry>> mirror;
  private volatile Snapshot snapshot = new Snapshot(Map.of());

  public AclStore(SecurityZooKeeper zk) {
    this.mirror =
        new ZnodeMirror<>(zk.client(), SecurityZooKeeper.ACLS, "ACLs", new Codec(), this::rebuild);
  }

  /** Starts watching and waits (bounded) for the first full load. */
  public AclStore start(long timeoutMs) {
    mirror.start(timeoutMs);
    return this;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** Runs under the mirror's lock after each change. */
  private void rebuild() {
    snapshot = new Snapshot(mirror.view());
  }

  /** Every cached pattern with its ACLs. */
  public Map<ResourcePattern, Set<AccessControlEntry>> all() {
    return snapshot.all;
  }

  /** Adds ACLs to a pattern (blocking; admin thread). */
  public void add(ResourcePattern pattern, Collection<AccessControlEntry> acls) {
    mirror.update(pattern, set -> set.addAll(acls));
  }

  /**
   * Removes the pattern's ACLs that {@code remove} selects (blocking; admin thread).
   *
   * @return the ACLs removed
   */
  public List<AccessControlEntry> remove(
      ResourcePattern pattern, Predicate<AccessControlEntry> remove) {
    List<AccessControlEntry> removed = new ArrayList<>();
    mirror.update(
        pattern,
        set -> {
          removed.clear();
          set.removeIf(
              acl -> {
                if (remove.test(acl)) {
                  removed.add(acl);
                  return true;
                }
                return false;
              });
          return !removed.isEmpty();
        });
    return removed;
  }

  /** One znode per resource pattern: a JSON list of its ACLs. */
  private static final class Codec
      implements ZnodeMirror.Codec<ResourcePattern, Set<AccessControlEntry>> {

    @Override
    public String pathOf(ResourcePattern pattern) {
      return SecurityZooKeeper.ACLS
          + "/"
          + pattern.resourceType().name()
          + "/"
          + pattern.patternType().name()
          + "/"
          + URLEncoder.encode(pattern.name(), StandardCharsets.UTF_8);
    }

    @Override
    public ResourcePattern keyOf(String path) {
      if (!path.startsWith(SecurityZooKeeper.ACLS + "/")) {
        return null;
      }
      String[] parts = path.substring(SecurityZooKeeper.ACLS.length() + 1).split("/");
      if (parts.length != 3) {
        return null;
      }
      try {
        return new ResourcePattern(
            ResourceType.valueOf(parts[0]),
            URLDecoder.decode(parts[2], StandardCharsets.UTF_8),
            PatternType.valueOf(parts[1]));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    @Override
    public byte[] encode(Set<AccessControlEntry> acls) throws IOException {
      List<AclJson> out = new ArrayList<>();
      for (AccessControlEntry acl : acls) {
        out.add(
            new AclJson(
                acl.principal(), acl.host(), acl.operation().name(), acl.permissionType().name()));
      }
      return JSON.writeValueAsBytes(new PatternJson(1, out));
    }

    @Override
    public Set<AccessControlEntry> decode(byte[] data) throws IOException {
      Set<AccessControlEntry> out = new LinkedHashSet<>();
      if (data == null || data.length == 0) {
        return out;
      }
      PatternJson json = JSON.readValue(data, PatternJson.class);
      if (json.version() != 1) {
        throw new IOException("unknown version " + json.version());
      }
      if (json.acls() != null) {
        for (AclJson a : json.acls()) {
          out.add(
              new AccessControlEntry(
                  a.principal(),
                  a.host(),
                  AclOperation.valueOf(a.operation()),
                  AclPermissionType.valueOf(a.permissionType())));
        }
      }
      return out;
    }

    @Override
    public boolean isEmpty(Set<AccessControlEntry> acls) {
      return acls.isEmpty();
    }
  }

  @Override
  public void close() {
    mirror.close();
  }
}
