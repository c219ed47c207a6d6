package io.rayfile.runtime.cluster;

/** Marker of every message that crosses processes; bound to Pekko's Jackson CBOR serializer in reference.conf. */
public interface Wire {}
