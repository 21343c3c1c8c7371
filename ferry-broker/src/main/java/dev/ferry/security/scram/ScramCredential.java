package dev.ferry.security.scram;

/**
 * What a broker keeps of a SCRAM password (RFC 5802): enough to verify a client's proof and to
 * prove itself, never the password nor the salted password.
 */
public record ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {}
