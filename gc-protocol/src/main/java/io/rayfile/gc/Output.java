package io.rayfile.gc;

import java.util.List;

/**
 * What one call into a {@link GcNode} produced: messages for the runtime to send and local effects to apply. The
 * node never sends anything itself.
 *
 * @param messages outbound messages; each names its destination
 * @param effects local effects, in order
 */
public record Output(List<GcMessage> messages, List<GcEffect> effects) {

  /** Nothing to send, nothing to do; returned (without allocation) by most count updates. */
  public static final Output NONE = new Output(List.of(), List.of());

  /** Copies the lists. */
  public Output {
    messages = List.copyOf(messages);
    effects = List.copyOf(effects);
  }

  /** True when there is nothing to send and nothing to do. */
  public boolean isEmpty() {
    return messages.isEmpty() && effects.isEmpty();
  }
}
