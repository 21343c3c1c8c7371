package dev.ferry.console.decode;

import dev.ferry.console.kafka.Credentials;
import java.util.Optional;

/** Finds a registered schema by its id (the id after the wire format's magic byte). */
public interface SchemaLookup {

  /** A schema as the registry stores it: its type (AVRO, JSON, PROTOBUF) and text. */
  record RegisteredSchema(String type, String text) {}

  /** The schema with {@code id}, if the registry knows it; asked as {@code who}. */
  Optional<RegisteredSchema> byId(int id, Credentials who);

  SchemaLookup NONE = (id, who) -> Optional.empty();
}
