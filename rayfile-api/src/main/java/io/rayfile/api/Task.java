package io.rayfile.api;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * The shapes of a task: a <b>static</b> method taking 0 to 4 parameters and returning the {@link Path} of the file
 * or directory it wrote (under {@link TaskContext#scratchDir()}). Pass it as a method reference; the runtime sends
 * the method's name, never code, so the method must exist on every node's class path.
 *
 * <p>Parameters: a {@code Path} parameter receives a local, read-only path materialized from a {@link RayFile} or
 * {@link FileRef} argument; a {@code RayFile} parameter receives a borrowed handle (released when the task
 * returns); any other parameter is a serializable value.
 *
 * <pre>{@code
 * public static Path extractAudio(Path video, String format) throws IOException { ... }
 * FileRef audio = rt.task(Media::extractAudio, video, "mp3").remote();
 * }</pre>
 */
public interface Task extends Serializable {

  /** A task without parameters. */
  @FunctionalInterface
  interface F0 extends Task {
    Path call() throws Exception;
  }

  /** A task with one parameter. */
  @FunctionalInterface
  interface F1<A> extends Task {
    Path call(A a) throws Exception;
  }

  /** A task with two parameters. */
  @FunctionalInterface
  interface F2<A, B> extends Task {
    Path call(A a, B b) throws Exception;
  }

  /** A task with three parameters. */
  @FunctionalInterface
  interface F3<A, B, C> extends Task {
    Path call(A a, B b, C c) throws Exception;
  }

  /** A task with four parameters. */
  @FunctionalInterface
  interface F4<A, B, C, D> extends Task {
    Path call(A a, B b, C c, D d) throws Exception;
  }
}
