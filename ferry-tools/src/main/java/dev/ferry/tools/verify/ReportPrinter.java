package dev.ferry.tools.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import dev.ferry.verify.CheckReport;
import java.io.PrintWriter;

/** A {@link CheckReport} for people (aligned counts, then the first anomalies) or as JSON. */
final class ReportPrinter {

  private ReportPrinter() {}

  static void print(PrintWriter out, boolean json, String runId, String topic, CheckReport r) {
    if (json) {
      Json.print(out, toJson(runId, topic, r));
      return;
    }
    out.printf("ferry verify %s: run %s on topic %s%n", r.ok() ? "PASSED" : "FAILED", runId, topic);
    line(out, "sent", r.sent(), "records handed to the producers");
    line(
        out,
        "acknowledged",
        r.acknowledged(),
        r.acknowledgedWithoutOffset() > 0
            ? r.acknowledgedWithoutOffset() + " without an offset (retries known by sequence)"
            : "");
    line(out, "failed", r.failed(), "sends that failed: may or may not be stored");
    if (r.aborted() > 0) {
      line(out, "aborted", r.aborted(), "in transactions aborted on purpose");
    }
    line(out, "read", r.finalRecords(), "records of this run read back from the beginning");
    if (r.liveRecords() > 0) {
      line(out, "read-live", r.liveRecords(), "offsets read while producing");
    }
    line(out, "unacknowledged", r.unacknowledgedPresent(), "present without an ack (allowed)");
    line(out, "lost", r.lostAcknowledged(), "acknowledged, not read back");
    line(out, "moved", r.movedAcknowledged(), "read back at another offset than acknowledged");
    line(out, "duplicated", r.duplicates(), "extra copies");
    line(out, "reordered", r.reorderings(), "after a later record of the same producer");
    line(out, "unstable", r.unstableReads(), "read while producing, changed or gone later");
    line(out, "phantom", r.phantoms(), "read back, never sent");
    if (r.aborted() > 0 || r.abortedVisible() > 0) {
      line(out, "aborted-visible", r.abortedVisible(), "aborted, yet read by read_committed");
    }
    line(
        out,
        "offsets-back",
        r.committedOffsetRegressions(),
        "a group's committed offset read back lower than before");
    line(out, "foreign", r.foreign(), "not written by ferry verify");
    if (r.otherRuns() > 0) {
      line(out, "other-runs", r.otherRuns(), "records of other runs in the topic (ignored)");
    }
    if (!r.anomalies().isEmpty()) {
      out.println("First anomalies:");
      for (CheckReport.Anomaly a : r.anomalies()) {
        out.println(
            "  " + a.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + a.description());
      }
    }
    out.flush();
  }

  private static void line(PrintWriter out, String name, long value, String note) {
    out.printf("  %-16s %,12d  %s%n", name, value, note);
  }

  static ObjectNode toJson(String runId, String topic, CheckReport r) {
    ObjectNode n = Json.object();
    n.put("result", r.ok() ? "passed" : "failed");
    n.put("runId", runId);
    n.put("topic", topic);
    n.put("sent", r.sent());
    n.put("acknowledged", r.acknowledged());
    n.put("acknowledgedWithoutOffset", r.acknowledgedWithoutOffset());
    n.put("failed", r.failed());
    n.put("aborted", r.aborted());
    n.put("read", r.finalRecords());
    n.put("readLive", r.liveRecords());
    n.put("unacknowledgedPresent", r.unacknowledgedPresent());
    n.put("lost", r.lostAcknowledged());
    n.put("moved", r.movedAcknowledged());
    n.put("duplicated", r.duplicates());
    n.put("reordered", r.reorderings());
    n.put("unstable", r.unstableReads());
    n.put("phantom", r.phantoms());
    n.put("abortedVisible", r.abortedVisible());
    n.put("committedOffsetRegressions", r.committedOffsetRegressions());
    n.put("foreign", r.foreign());
    n.put("otherRuns", r.otherRuns());
    ArrayNode anomalies = n.putArray("anomalies");
    for (CheckReport.Anomaly a : r.anomalies()) {
      ObjectNode an = anomalies.addObject();
      an.put("kind", a.kind().name().toLowerCase(java.util.Locale.ROOT));
      an.put("partition", a.partition());
      ArrayNode offsets = an.putArray("offsets");
      a.offsets().forEach(offsets::add);
      an.put("description", a.description());
    }
    return n;
  }
}
