package io.rayfile.d7y.peer;

/**
 * Locality labels of a node; the scheduler prefers parents with the same nodepool, then zone, then region.
 * Empty strings mean "not labelled" and never match.
 */
public record Labels(String region, String zone, String nodepool) {
  public static final Labels NONE = new Labels("", "", "");

  public Labels {
    region = region == null ? "" : region;
    zone = zone == null ? "" : zone;
    nodepool = nodepool == null ? "" : nodepool;
  }
}
