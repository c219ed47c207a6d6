package io.rayfile.examples.media;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rayfile.api.RayFileException.Code;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One line of the pipeline's index ({@code index.jsonl}): one output file of one source.
 *
 * <pre>{@code
 * {"source":"small-0001.mp4","output":"audio","name":"small-0001.m4a","bytes":24731,"sha256":"9f2c...",
 *  "duration_s":3.02,"streams":["audio:aac 48000Hz"]}
 * }</pre>
 *
 * @param source the input file it was made from
 * @param output which output: {@code audio}, {@code rendition} or {@code thumbnail}
 * @param name its path inside the output ({@code small-0001.thumbs/thumb-01.jpg} for a directory's file)
 * @param bytes its size
 * @param sha256 hex SHA-256 of its bytes
 * @param durationSeconds its duration as ffmpeg reports it (one frame for a still), {@code null} when it reports none
 * @param streams its streams, as {@link MediaInfo.Stream#describe()}
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record IndexEntry(
    @JsonProperty("source") String source,
    @JsonProperty("output") String output,
    @JsonProperty("name") String name,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("sha256") String sha256,
    @JsonProperty("duration_s") Double durationSeconds,
    @JsonProperty("streams") List<String> streams) {
  static final Comparator<IndexEntry> ORDER = Comparator.comparing(IndexEntry::source)
      .thenComparing(IndexEntry::output).thenComparing(IndexEntry::name);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Checks the fields. */
  public IndexEntry {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    streams = List.copyOf(streams);
  }

  /**
   * Reads an index file.
   *
   * @throws MediaException INVALID_ARGUMENT naming the file and line when a line is not an entry
   */
  public static List<IndexEntry> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new MediaException(Code.INVALID_ARGUMENT, "no such index file: " + file);
    }
    List<IndexEntry> entries = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        entries.add(JSON.readValue(line, IndexEntry.class));
      } catch (IOException | RuntimeException e) {
        throw new MediaException(Code.INVALID_ARGUMENT, file + " line " + n + " is not an index entry: " + e
            .getMessage(), e);
      }
    }
    return entries;
  }
}
