package dev.ferry.storage.segment;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync of a directory, so that file creations and renames in it survive a crash. */
public final class DirSync {

  private DirSync() {}

  public static void fsync(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms/file systems cannot open or sync a directory; the data files are synced.
    }
  }
}
