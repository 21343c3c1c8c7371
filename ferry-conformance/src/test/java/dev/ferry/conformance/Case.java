package dev.ferry.conformance;

import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * A named request sequence for one API, run at every version of {@code api} both brokers advertise
 * (from {@code minVersion}); each exchange's answers are compared.
 */
record Case(ApiKeys api, String name, short minVersion, List<Exchange> exchanges) {

  static Case of(ApiKeys api, String name, Exchange... exchanges) {
    return new Case(api, name, (short) 0, List.of(exchanges));
  }

  Case from(int version) {
    return new Case(api, name, (short) version, exchanges);
  }
}
