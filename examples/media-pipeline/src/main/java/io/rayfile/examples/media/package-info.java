/**
 * The ffmpeg media pipeline example, written against the public RayFile API only.
 *
 * <p>{@link io.rayfile.examples.media.MediaPipeline} drives it: generated media ({@link
 * io.rayfile.examples.media.MediaGenerator}) go through RayFile tasks ({@link io.rayfile.examples.media.MediaTasks}:
 * split, audio extraction, transcode, thumbnails, index), and the downloads are summed up in a {@link
 * io.rayfile.examples.media.StressTable}. {@link io.rayfile.examples.media.Ffmpeg} finds or unpacks the ffmpeg it
 * runs.
 */
package io.rayfile.examples.media;
