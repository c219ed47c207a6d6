package io.rayfile.examples.media;

import io.rayfile.api.RayFileException;

/**
 * A media step failed: a file ffmpeg cannot read, an ffmpeg run that failed or ran out of time, a missing ffmpeg.
 * The message names the file and carries the end of ffmpeg's own error output.
 */
public final class MediaException extends RayFileException {
  private static final long serialVersionUID = 1L;

  public MediaException(Code code, String message) {
    super(code, message);
  }

  public MediaException(Code code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
