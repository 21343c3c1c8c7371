package dev.ferry.security.scram;

import java.util.Optional;

/** Where the SCRAM server finds a user's credential; must not block (network threads call it). */
@FunctionalInterface
public interface ScramCredentialSource {
  Optional<ScramCredential> credential(String user, ScramMechanism mechanism);
}
