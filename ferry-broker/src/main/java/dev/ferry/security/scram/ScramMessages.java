package dev.ferry.security.scram;

/** SCRAM's escaping of user names: ',' as {@code =2C} and '=' as {@code =3D} (RFC 5802 5.1). */
final class ScramMessages {

  private ScramMessages() {}

  static String encodeName(String name) {
    return name.replace("=", "=3D").replace(",", "=2C");
  }

  static String decodeName(String encoded) {
    return encoded.replace("=2C", ",").replace("=3D", "=");
  }
}
