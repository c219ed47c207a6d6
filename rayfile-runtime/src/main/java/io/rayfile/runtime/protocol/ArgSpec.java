package io.rayfile.runtime.protocol;

import io.rayfile.runtime.cluster.Wire;

/**
 * One task argument.
 *
 * @param kind how the parameter receives it
 * @param file for {@link Kind#PATH} and {@link Kind#HANDLE}: the file
 * @param value for {@link Kind#VALUE}: the Java-serialized value
 */
public record ArgSpec(Kind kind, FileSpec file, byte[] value) implements Wire {

  /** How a parameter receives its argument. */
  public enum Kind {
    /** A local read-only path materialized on the node. */
    PATH,
    /** A borrowed {@link io.rayfile.api.RayFile} handle. */
    HANDLE,
    /** A serializable value. */
    VALUE
  }

  public static ArgSpec path(FileSpec file) {
    return new ArgSpec(Kind.PATH, file, null);
  }

  public static ArgSpec handle(FileSpec file) {
    return new ArgSpec(Kind.HANDLE, file, null);
  }

  public static ArgSpec value(byte[] bytes) {
    return new ArgSpec(Kind.VALUE, null, bytes);
  }
}
