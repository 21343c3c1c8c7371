package dev.ferry.storage.index;

/** An index file is inconsistent with itself or with its log segment and must be rebuilt. */
public final class CorruptIndexException extends RuntimeException {

  CorruptIndexException(String message) {
    super(message);
  }
}
