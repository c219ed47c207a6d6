package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.rayfile.d7y.peer.storage.ContentId;

/** Reading steps shared by both decoders: the preamble and the length prefix, with their checks. */
final class FrameReader {
  private FrameReader() {}

  /**
   * Reads the preamble when it is complete; checks the magic as soon as its 4 bytes are there so that garbage is
   * refused without waiting for more.
   *
   * @return the version, or -1 when more bytes are needed
   */
  static int readPreamble(ByteBuf in) {
    if (in.readableBytes() >= 4 && in.getInt(in.readerIndex()) != Protocol.MAGIC) {
      throw new FrameException(WireStatus.BAD_VERSION, String.format(
          "not a RayFile data-plane peer: expected magic 0x%08x, got 0x%08x", Protocol.MAGIC,
          in.getInt(in.readerIndex())));
    }
    if (in.readableBytes() < Protocol.PREAMBLE_LENGTH) {
      return -1;
    }
    in.skipBytes(4);
    int version = in.readUnsignedShort();
    int flags = in.readUnsignedShort();
    if (version != Protocol.VERSION) {
      throw new FrameException(WireStatus.BAD_VERSION, "data-plane protocol version " + version
          + " is not supported: this peer speaks version " + Protocol.VERSION + "; run the same RayFile release");
    }
    if (flags != 0) {
      throw new FrameException(WireStatus.BAD_VERSION, "preamble flags must be 0, got " + flags);
    }
    return version;
  }

  /**
   * The length of the next control frame when all of it is buffered (the reader index is then past the prefix),
   * or -1 when more bytes are needed (nothing consumed).
   */
  static int readFrameLength(ByteBuf in) {
    if (in.readableBytes() < 4) {
      return -1;
    }
    int length = in.getInt(in.readerIndex());
    if (length < 1 || length > Protocol.MAX_CONTROL_FRAME) {
      throw new FrameException(WireStatus.BAD_REQUEST, "frame length " + Integer.toUnsignedString(length)
          + " is outside 1.." + Protocol.MAX_CONTROL_FRAME);
    }
    if (in.readableBytes() < 4 + length) {
      return -1;
    }
    in.skipBytes(4);
    return length;
  }

  static ContentId readContentId(ByteBuf in) {
    byte[] raw = new byte[Protocol.CONTENT_ID_BYTES];
    in.readBytes(raw);
    return ContentId.ofDigest(raw);
  }

  static void expectLength(String type, int length, int expected) {
    if (length != expected) {
      throw new FrameException(WireStatus.BAD_REQUEST,
          type + " frame must be " + expected + " bytes long, got " + length);
    }
  }
}
