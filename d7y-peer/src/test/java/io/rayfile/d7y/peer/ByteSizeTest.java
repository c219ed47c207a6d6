package io.rayfile.d7y.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {
  @Test
  void parsesBinaryAndDecimalUnits() {
    assertEquals(512, ByteSize.parse("512").bytes());
    assertEquals(64L << 10, ByteSize.parse("64KiB").bytes());
    assertEquals(256L << 20, ByteSize.parse("256MiB").bytes());
    assertEquals(1L << 30, ByteSize.parse("1GiB").bytes());
    assertEquals(3L << 29, ByteSize.parse("1.5GiB").bytes());
    assertEquals(10_000_000_000L, ByteSize.parse("10GB").bytes());
    assertEquals(64L << 20, ByteSize.parse("64m").bytes());
    assertEquals(2L << 40, ByteSize.parse(" 2TiB ").bytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "-1", "1XB", "1.2.3GiB", "GiB", "99999999999999999999TiB"})
  void rejectsNonsenseNamingTheText(String text) {
    PeerException e = assertThrows(PeerException.class, () -> ByteSize.parse(text));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void formatsForHumans() {
    assertEquals("512 B", ByteSize.format(512));
    assertEquals("1.5 GiB", ByteSize.format(3L << 29));
  }
}
