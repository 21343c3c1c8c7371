package dev.ferry.it;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** Dynamic group configs set through the real Admin client, as a user would set them. */
public final class GroupConfigs {

  private GroupConfigs() {}

  /**
   * Makes a share group start at the log start instead of its default, the log end: a test that
   * produces before its first consumer joins would otherwise see nothing.
   */
  public static void shareFromEarliest(Admin admin, String group) throws Exception {
    set(admin, group, "share.auto.offset.reset", "earliest");
  }

  /** Sets one config of the group (IncrementalAlterConfigs, SET), waiting up to 30 s. */
  public static void set(Admin admin, String group, String name, String value) throws Exception {
    admin
        .incrementalAlterConfigs(
            Map.of(
                new ConfigResource(ConfigResource.Type.GROUP, group),
                List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET))))
        .all()
        .get(30, TimeUnit.SECONDS);
  }
}
