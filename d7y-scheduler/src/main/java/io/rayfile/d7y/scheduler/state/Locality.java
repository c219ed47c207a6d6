package io.rayfile.d7y.scheduler.state;

/**
 * Where a host sits. Empty labels match nothing in the score; for origin and cross-boundary quotas, all hosts
 * without a nodepool label form one group.
 */
public record Locality(String region, String zone, String nodepool) {
  public static final Locality NONE = new Locality("", "", "");

  public Locality {
    region = Ids.optional("region", region);
    zone = Ids.optional("zone", zone);
    nodepool = Ids.optional("nodepool", nodepool);
  }

  /** The quota group: the nodepool label (empty for unlabeled hosts). */
  public String group() {
    return nodepool;
  }

  static boolean sameLabel(String a, String b) {
    return !a.isEmpty() && a.equals(b);
  }
}
