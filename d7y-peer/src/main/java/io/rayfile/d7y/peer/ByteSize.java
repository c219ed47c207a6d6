package io.rayfile.d7y.peer;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte count as people write it on command lines: {@code 512}, {@code 64KiB}, {@code 1.5GiB}, {@code 10MB}.
 * Binary units (KiB, MiB, GiB, TiB) are powers of 1024; decimal ones (KB, MB, GB, TB) powers of 1000; a bare
 * {@code K/M/G/T} is binary.
 *
 * @param bytes the count
 */
public record ByteSize(long bytes) {
  private static final Pattern FORMAT =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?)(b?)", Pattern.CASE_INSENSITIVE);

  public ByteSize {
    if (bytes < 0) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "a byte size must be >= 0, got " + bytes);
    }
  }

  /** Parses a size; the error names the text and shows the accepted forms. */
  public static ByteSize parse(String text) {
    Matcher m = text == null ? null : FORMAT.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "not a byte size: '" + text + "' (use e.g. 512, 64KiB, 256MiB, 1.5GiB, 10GB)");
    }
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    boolean decimal = m.group(3).isEmpty() && !m.group(4).isEmpty() && !unit.isEmpty();
    int exponent = unit.isEmpty() ? 0 : "kmgt".indexOf(unit) + 1;
    double base = decimal ? 1000 : 1024;
    double value = Double.parseDouble(m.group(1)) * Math.pow(base, exponent);
    if (value >= Long.MAX_VALUE) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "byte size too large: '" + text + "'");
    }
    return new ByteSize((long) value);
  }

  /** A short human form, e.g. {@code 1.5 GiB}. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  @Override
  public String toString() {
    return format(bytes);
  }
}
