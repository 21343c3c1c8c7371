package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;

/** Every case of the suite, by area. */
final class Cases {

  private Cases() {}

  static List<Case> all() {
    List<Case> all = new ArrayList<>();
    all.addAll(MetadataCases.all());
    all.addAll(DescribeTopicPartitionsCases.all());
    all.addAll(DataCases.all());
    all.addAll(AdminCases.all());
    all.addAll(PlacementCases.all());
    all.addAll(GroupCases.all());
    all.addAll(ConsumerGroupCases.all());
    all.addAll(ShareGroupCases.all());
    all.addAll(ShareGroupOffsetsCases.all());
    all.addAll(TxnCases.all());
    all.addAll(TxnDataCases.all());
    all.addAll(SecurityAdminCases.all());
    all.addAll(QuotaCases.all());
    all.addAll(TelemetryCases.all());
    return all;
  }
}
