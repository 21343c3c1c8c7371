package dev.ferry.storage;

/** An index file is inconsistent with itself or with its log segment and must be rebuilt. */
final class CorruptIndexException extends RuntimeException {

  CorruptIndexException(String message) {
    super(message);
  }
}
