/**
 * The ffmpeg media pipeline example (not built yet: it arrives with the media-pipeline issue).
 */
package io.rayfile.examples.media;
