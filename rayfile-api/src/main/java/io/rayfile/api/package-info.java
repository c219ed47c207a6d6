/**
 * The public Java API of RayFile: file handles ({@link io.rayfile.api.RayFile}), file futures
 * ({@link io.rayfile.api.FileRef}), task calls, options and one exception hierarchy
 * ({@link io.rayfile.api.RayFileException}). It never depends on the runtime: the runtime is found through
 * {@link java.util.ServiceLoader} ({@link io.rayfile.api.spi.RuntimeProvider}).
 *
 * <pre>{@code
 * try (RayFileRuntime rt = RayFile.connect("head-host:2552")) {
 *   try (RayFile video = rt.put(Path.of("talk.mp4"));
 *        FileRef audio = rt.task(Media::extractAudio, video, "mp3").remote()) {
 *     Path local = audio.fetch().join();          // a read-only local path, wherever the task ran
 *   }                                             // closing drops the references; the files are freed
 * }
 * }</pre>
 */
package io.rayfile.api;
