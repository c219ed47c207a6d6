package io.rayfile.api.spi;

import io.rayfile.api.HandleInfo;
import io.rayfile.api.RayFile;
import java.util.function.Function;

/**
 * Binds deserialized handles to the runtime that received them. The runtime deserializes task arguments and
 * values inside {@link #with}, so each {@link RayFile} found in them becomes a counted borrow; a handle
 * deserialized anywhere else is unbound (it names the file but holds no reference).
 */
public final class HandleBinding {
  private static final ThreadLocal<Function<HandleInfo, RayFile>> BINDER = new ThreadLocal<>();

  private HandleBinding() {}

  /** Runs {@code body} with {@code binder} turning every handle deserialized on this thread into a live one. */
  public static <T> T with(Function<HandleInfo, RayFile> binder, java.util.concurrent.Callable<T> body)
      throws Exception {
    Function<HandleInfo, RayFile> previous = BINDER.get();
    BINDER.set(binder);
    try {
      return body.call();
    } finally {
      if (previous == null) {
        BINDER.remove();
      } else {
        BINDER.set(previous);
      }
    }
  }

  /** The handle for {@code info} on this thread: bound by the current binder, else unbound. */
  public static RayFile bind(HandleInfo info) {
    Function<HandleInfo, RayFile> binder = BINDER.get();
    return binder == null ? new RayFile(info, null) : binder.apply(info);
  }
}
