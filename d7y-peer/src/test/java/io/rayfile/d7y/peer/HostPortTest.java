package io.rayfile.d7y.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
  @Test
  void parsesHostsAndBracketedIpv6() {
    assertEquals(new HostPort("127.0.0.1", 7070), HostPort.parse("127.0.0.1:7070"));
    assertEquals(new HostPort("::1", 80), HostPort.parse("[::1]:80"));
    assertEquals("[::1]:80", HostPort.parse("[::1]:80").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "host", ":80", "host:", "host:http", "host:70000", "host:-1"})
  void rejectsMalformedAddresses(String text) {
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class, () -> HostPort.parse(text)).code());
  }
}
