package io.rayfile.d7y.peer.transfer;

/**
 * Wire constants of the data plane. The byte layout is documented in {@code docs/protocol.md}; change both
 * together, and bump {@link #VERSION} on any incompatible change.
 */
final class Protocol {
  /** "RFDP": RayFile data plane. First four bytes each side sends. */
  static final int MAGIC = 0x52464450;
  static final int VERSION = 1;
  /** Magic (4) + version (2) + flags (2). */
  static final int PREAMBLE_LENGTH = 8;

  /** A control frame (type + body, never piece bytes) is at most this long. */
  static final int MAX_CONTROL_FRAME = 64 * 1024;
  /** Error messages are truncated to this many UTF-8 bytes. */
  static final int MAX_MESSAGE_BYTES = 1024;
  /** A content id travels as its 32 raw SHA-256 bytes. */
  static final int CONTENT_ID_BYTES = 32;
  /** Hard cap on pieces named in one GET_PIECES frame, whatever the settings say. */
  static final int MAX_PIECES_PER_FRAME = 1024;

  static final byte GET_PIECES = 0x01;
  static final byte GET_BITMAP = 0x02;
  static final byte PIECE = (byte) 0x81;
  static final byte ERROR = (byte) 0x82;
  static final byte BITMAP = (byte) 0x83;

  /** Request id of errors about the connection rather than one request. */
  static final int CONNECTION_REQUEST_ID = 0;
  /** Piece number of errors about a whole request rather than one of its pieces. */
  static final int NO_PIECE = -1;

  private Protocol() {}
}
