package dev.ferry.security.scram;

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
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SCRAM credentials (salt, stored key, server key, iterations — never a password) in ZooKeeper, one
 * znode per user, mirrored into memory on every broker by a watch so authentication never waits on
 * ZooKeeper. Writes are compare-and-set on the znode version.
 */
public final class ScramCredentialStore implements ScramCredentialSource, Closeable {

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  record CredentialJson(String salt, String storedKey, String serverKey, int iterations) {}

  record UserJson(int version, Map<String, CredentialJson> credentials) {}

  private final ZnodeMirror<String, Map<ScramMechanism, ScramCredential>> users;

  public ScramCredentialStore(SecurityZooKeeper zk) {
    this.users =
        new ZnodeMirror<>(
            zk.client(), SecurityZooKeeper.SCRAM, "SCRAM credentials", new Codec(), () -> {});
  }

  /** Starts watching and waits (bounded) for the first full load. */
  public ScramCredentialStore start(long timeoutMs) {
    users.start(timeoutMs);
    return this;
  }

  @Override
  public Optional<ScramCredential> credential(String user, ScramMechanism mechanism) {
    Map<ScramMechanism, ScramCredential> credentials = users.view().get(user);
    return credentials == null ? Optional.empty() : Optional.ofNullable(credentials.get(mechanism));
  }

  /** Every user with the mechanisms and iterations of their credentials (cached view). */
  public Map<String, Map<ScramMechanism, Integer>> describe() {
    Map<String, Map<ScramMechanism, Integer>> out = new TreeMap<>();
    users
        .view()
        .forEach(
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
    return users.read(user);
  }

  /**
   * Sets or removes one mechanism's credential of a user (blocking; admin thread).
   *
   * @param credential null to delete it
   * @return false if there was nothing to delete
   */
  public boolean update(String user, ScramMechanism mechanism, ScramCredential credential) {
    return users.update(
        user,
        current -> {
          if (credential == null) {
            return current.remove(mechanism) != null;
          }
          current.put(mechanism, credential);
          return true;
        });
  }

  /** One znode per user: its credentials by mechanism, as JSON. */
  private static final class Codec
      implements ZnodeMirror.Codec<String, Map<ScramMechanism, ScramCredential>> {

    @Override
    public String keyOf(String path) {
      if (!path.startsWith(SecurityZooKeeper.SCRAM + "/")) {
        return null;
      }
      return URLDecoder.decode(
          path.substring(SecurityZooKeeper.SCRAM.length() + 1), StandardCharsets.UTF_8);
    }

    @Override
    public String pathOf(String user) {
      return SecurityZooKeeper.SCRAM + "/" + URLEncoder.encode(user, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] encode(Map<ScramMechanism, ScramCredential> credentials) throws IOException {
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

    @Override
    public Map<ScramMechanism, ScramCredential> decode(byte[] data) throws IOException {
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
    public boolean isEmpty(Map<ScramMechanism, ScramCredential> credentials) {
      return credentials.isEmpty();
    }
  }

  @Override
  public void close() {
    users.close();
  }
}
