package io.rayfile.api;

import java.util.List;

/**
 * What {@link RayFileRuntime#wait} found, each list in the order of the refs given.
 *
 * @param ready refs whose task finished (successfully or not)
 * @param notReady the others
 */
public record WaitResult(List<FileRef> ready, List<FileRef> notReady) {
  public WaitResult {
    ready = List.copyOf(ready);
    notReady = List.copyOf(notReady);
  }
}
