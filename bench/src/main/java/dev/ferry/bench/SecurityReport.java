package dev.ferry.bench;

import dev.ferry.bench.SecurityBench.Result;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The Markdown of {@code bench/results/security.md}: every round, medians, ratios, TLS cost. */
final class SecurityReport {

  private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_SSL");

  private SecurityReport() {}

  static String markdown(
      List<Result> results, int seconds, long messages, int reads, List<String> failures) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Security: Apache Kafka 4.4.0 and Ferry over PLAINTEXT, SSL and SASL_SSL\n\n")
        .append(
            "`bench/security` (issue 13). One broker of each, the same three listeners on both:")
        .append(" PLAINTEXT, SSL (TLS with a self-signed RSA 2048 server certificate, no client")
        .append(" certificates; default TLS version and cipher suite, TLS 1.3 with")
        .append(" TLS_AES_256_GCM_SHA384 on both; Kafka's TLS engine is the JDK's, Ferry's")
        .append(" BoringSSL, and \"ferry-jdk\" is Ferry with the JDK's engine) and")
        .append(
            " SASL_SSL with SCRAM-SHA-512 (4096 iterations). For each listener in turn: workload")
        .append(" 3's producer (1 KB log-like text, acks=all, idempotent, lz4, linger.ms=5, 6")
        .append(" partitions, window of 10,000) for up to ")
        .append(messages)
        .append(" messages or ")
        .append(seconds)
        .append(" s, then a default consumer reads them back ")
        .append(reads == 1 ? "once" : reads + " times, one consumer after the other")
        .append(" (offsets and sizes checked; the consume figures are over all the reads). Broker")
        .append(" CPU µs per message from /proc/PID/stat around each. Each broker warms up untimed")
        .append(" over every listener, pass after pass until its JIT compiler threads take at most")
        .append(" 10% of its CPU (at most 90 s); brokers alternate (A B A B); round r measures the")
        .append(
            " listeners in a rotated order (round 0 PLAINTEXT first, round 1 SSL first, round 2")
        .append(" SASL_SSL first; with --passes each pass within a round is a further row). The")
        .append(" client runs on the")
        .append(" same 2 cores: read throughput together with CPU per message. The 1-min load")
        .append(" average during each measurement (the machine may run other work)")
        .append(" is in the last column. \"records/request\" is the producer's")
        .append(" records-per-request-avg: a broker's produce CPU per message falls as requests")
        .append(" grow, and how large they grow depends on how fast it answers. CPU by thread")
        .append(" group for every workload is in the run's threads.tsv.\n\n")
        .append("| broker | round | protocol | produce msg/s | produce CPU µs/msg |")
        .append(" records/request | consume msg/s | consume CPU µs/msg | load |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %.0f | %.2f | %.1f | %.0f | %.2f | %.1f |%n",
              r.broker(),
              r.round(),
              r.protocol(),
              r.produceRate(),
              r.produceCpuMicros(),
              r.recordsPerRequest(),
              r.consumeRate(),
              r.consumeCpuMicros(),
              r.load()));
    }
    List<String> ferries =
        results.stream().map(Result::broker).filter(b -> !b.equals("kafka")).distinct().toList();
    for (String ferry : ferries) {
      String title = title(ferry);
      sb.append("\n## ")
          .append(title)
          .append(" / Kafka (medians over rounds)\n\n")
          .append("Targets: throughput ≥ 1.0×, broker CPU per message ≤ 0.5×.\n\n")
          .append(
              "| protocol | produce msg/s | produce CPU/msg | consume msg/s | consume CPU/msg |\n")
          .append("|---|---|---|---|---|\n");
      for (String protocol : PROTOCOLS) {
        sb.append("| ")
            .append(protocol)
            .append(" | ")
            .append(ratio(results, ferry, protocol, Result::produceRate, true))
            .append(" | ")
            .append(ratio(results, ferry, protocol, Result::produceCpuMicros, false))
            .append(" | ")
            .append(ratio(results, ferry, protocol, Result::consumeRate, true))
            .append(" | ")
            .append(ratio(results, ferry, protocol, Result::consumeCpuMicros, false))
            .append(" |\n");
      }
    }
    for (String ferry : ferries) {
      sb.append("\n## ")
          .append(title(ferry))
          .append(" / Kafka within each round\n\n")
          .append("Each round runs the brokers one after the other, minutes apart: on a machine")
          .append(" whose load swings, a round's pair is the fairer comparison (compare its load")
          .append(" column above).\n\n")
          .append("| round | protocol | produce msg/s | produce CPU/msg | consume msg/s |")
          .append(" consume CPU/msg |\n")
          .append("|---|---|---|---|---|---|\n");
      for (Result f : results) {
        if (!f.broker().equals(ferry)) {
          continue;
        }
        for (Result k : results) {
          if (k.broker().equals("kafka")
              && k.round() == f.round()
              && k.protocol().equals(f.protocol())) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "| %d | %s | %.2f× | %.2f× | %.2f× | %.2f× |%n",
                    f.round(),
                    f.protocol(),
                    f.produceRate() / k.produceRate(),
                    f.produceCpuMicros() / k.produceCpuMicros(),
                    f.consumeRate() / k.consumeRate(),
                    f.consumeCpuMicros() / k.consumeCpuMicros()));
          }
        }
      }
    }
    sb.append(
            "\n## Cost of TLS on each broker (medians; protocol / PLAINTEXT of the same broker)\n\n")
        .append("| broker | protocol | produce msg/s | produce CPU/msg | consume msg/s |")
        .append(" consume CPU/msg |\n")
        .append("|---|---|---|---|---|---|\n");
    for (String broker : results.stream().map(Result::broker).distinct().toList()) {
      for (String protocol : List.of("SSL", "SASL_SSL")) {
        sb.append("| ")
            .append(broker)
            .append(" | ")
            .append(protocol)
            .append(" | ")
            .append(cost(results, broker, protocol, Result::produceRate))
            .append(" | ")
            .append(cost(results, broker, protocol, Result::produceCpuMicros))
            .append(" | ")
            .append(cost(results, broker, protocol, Result::consumeRate))
            .append(" | ")
            .append(cost(results, broker, protocol, Result::consumeCpuMicros))
            .append(" |\n");
      }
    }
    if (!failures.isEmpty()) {
      sb.append("\nFailures:\n");
      failures.forEach(f -> sb.append("- ").append(f).append('\n'));
    }
    return sb.toString();
  }

  /** The report's name for a Ferry variant. */
  private static String title(String broker) {
    return switch (broker) {
      case "ferry" -> "Ferry";
      case "ferry-jdk" -> "Ferry with the JDK's TLS engine";
      default -> "Ferry (" + broker + ")";
    };
  }

  private static String ratio(
      List<Result> results,
      String broker,
      String protocol,
      ToDoubleFunction<Result> figure,
      boolean higher) {
    double ferry = median(results, broker, protocol, figure);
    double kafka = median(results, "kafka", protocol, figure);
    if (Double.isNaN(ferry) || Double.isNaN(kafka)) {
      return "n/a";
    }
    double r = ferry / kafka;
    boolean met = higher ? r >= 1.0 : r <= 0.5;
    return String.format(Locale.ROOT, "%.2f× %s", r, met ? "✅" : "❌");
  }

  private static String cost(
      List<Result> results, String broker, String protocol, ToDoubleFunction<Result> figure) {
    double secured = median(results, broker, protocol, figure);
    double plain = median(results, broker, "PLAINTEXT", figure);
    if (Double.isNaN(secured) || Double.isNaN(plain)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2f×", secured / plain);
  }

  static double median(
      List<Result> results, String broker, String protocol, ToDoubleFunction<Result> figure) {
    double[] v =
        results.stream()
            .filter(r -> r.broker().equals(broker) && r.protocol().equals(protocol))
            .mapToDouble(figure)
            .sorted()
            .toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
