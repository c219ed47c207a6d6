package io.rayfile.d7y.peer.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rayfile.d7y.peer.storage.ContentKind;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {
  static {
    LeakDetection.install();
  }

  @AfterAll
  static void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void requestsSurviveArbitrarySplitting() {
    ByteBuf all = Unpooled.buffer();
    all.writeBytes(Wire.preamble());
    Frame.GetPieces get = new Frame.GetPieces(7, Wire.id(42), new int[] {0, 5, 9});
    Frame.GetBitmap bitmap = new Frame.GetBitmap(8, Wire.id(43));
    all.writeBytes(Wire.encode(get)).writeBytes(Wire.encode(bitmap));
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    while (all.isReadable()) {
      ch.writeInbound(all.readRetainedSlice(Math.min(3, all.readableBytes())));
    }
    all.release();
    assertEquals(new Frame.Hello(1), ch.readInbound());
    assertEquals(get, ch.readInbound());
    assertEquals(bitmap, ch.readInbound());
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void requestFrameLayoutIsAsDocumented() {
    ByteBuf b = Wire.encode(new Frame.GetPieces(0x01020304, Wire.id(1), new int[] {5}));
    assertEquals(4 + 43, b.readableBytes());
    assertEquals(43, b.readInt(), "length prefix counts type + body");
    assertEquals(0x01, b.readByte());
    assertEquals(0x01020304, b.readInt());
    b.skipBytes(31);
    assertEquals(1, b.readByte(), "content id is its 32 raw bytes, big-endian like the hex");
    assertEquals(1, b.readUnsignedShort());
    assertEquals(5, b.readInt());
    b.release();
  }

  @Test
  void responsesWithPieceBytesSplitAnywhere() {
    byte[] piece = new byte[10_000];
    new Random(1).nextBytes(piece);
    BitSet bits = new BitSet();
    bits.set(0);
    bits.set(9);
    ByteBuf all = Unpooled.buffer();
    all.writeBytes(Wire.preamble());
    all.writeBytes(Wire.encode(new Frame.PieceHeader(1, 3, piece.length, 0xCAFEBABE))).writeBytes(piece);
    all.writeBytes(Wire.encode(new Frame.Error(2, 4, WireStatus.PIECE_MISSING, "not yet ✓")));
    all.writeBytes(Wire.encode(new Frame.Bitmap(3, ContentKind.DIRECTORY, false, 10L << 22, 4 << 20, 10, bits)));
    all.writeBytes(Wire.encode(new Frame.PieceHeader(4, 0, 0, 0)));
    byte[] bytes = new byte[all.readableBytes()];
    all.readBytes(bytes);
    all.release();

    List<Object> frames = Wire.decodeResponses(bytes);
    assertEquals(new Frame.Hello(1), frames.get(0));
    Wire.Piece p = (Wire.Piece) frames.get(1);
    assertEquals(new Frame.PieceHeader(1, 3, piece.length, 0xCAFEBABE), p.header());
    assertArrayEquals(piece, p.data());
    assertEquals(new Frame.Error(2, 4, WireStatus.PIECE_MISSING, "not yet ✓"), frames.get(2));
    Frame.Bitmap bm = (Frame.Bitmap) frames.get(3);
    assertEquals(ContentKind.DIRECTORY, bm.kind());
    assertEquals(10, bm.pieceCount());
    assertEquals(bits, bm.finished());
    assertEquals(0, ((Wire.Piece) frames.get(4)).data().length);

    // The same bytes fed one at a time: chunks never exceed what arrived, and all of them are released.
    EmbeddedChannel ch = new EmbeddedChannel(new ResponseDecoder());
    int chunks = 0;
    for (byte x : bytes) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
      Object m;
      while ((m = ch.readInbound()) != null) {
        if (m instanceof Frame.PieceChunk c) {
          assertEquals(1, c.content().readableBytes());
          chunks++;
          c.release();
        }
      }
    }
    assertEquals(piece.length, chunks);
    assertFalse(ch.finish());
  }

  @Test
  void longErrorMessagesAreTruncated() {
    String longMessage = "é".repeat(5000);
    ByteBuf b = Wire.encode(new Frame.Error(1, -1, WireStatus.INTERNAL, longMessage));
    assertTrue(b.readableBytes() <= 4 + 13 + Protocol.MAX_MESSAGE_BYTES);
    byte[] bytes = new byte[b.readableBytes()];
    b.readBytes(bytes);
    b.release();
    List<Object> frames = Wire.decodeResponses(concat(preambleBytes(), bytes));
    Frame.Error e = (Frame.Error) frames.get(1);
    assertTrue(longMessage.startsWith(e.message()));
    assertTrue(e.message().getBytes(StandardCharsets.UTF_8).length <= Protocol.MAX_MESSAGE_BYTES);
  }

  @Test
  void badMagicIsRefusedAsSoonAsFourBytesArrive() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    FrameException e = assertThrows(FrameException.class,
        () -> ch.writeInbound(Unpooled.wrappedBuffer("GET ".getBytes(StandardCharsets.US_ASCII))));
    assertEquals(WireStatus.BAD_VERSION, e.status());
    // Everything after a violation is discarded.
    ch.writeInbound(Wire.preamble());
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void otherVersionsAndFlagsAreRefused() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    FrameException e = assertThrows(FrameException.class, () -> ch.writeInbound(
        Unpooled.buffer().writeInt(Protocol.MAGIC).writeShort(2).writeShort(0)));
    assertEquals(WireStatus.BAD_VERSION, e.status());
    assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    ch.finishAndReleaseAll();

    EmbeddedChannel ch2 = new EmbeddedChannel(new RequestDecoder());
    assertThrows(FrameException.class, () -> ch2.writeInbound(
        Unpooled.buffer().writeInt(Protocol.MAGIC).writeShort(1).writeShort(1)));
    ch2.finishAndReleaseAll();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, Protocol.MAX_CONTROL_FRAME + 1})
  void impossibleFrameLengthsAreRefusedWithoutBuffering(int length) {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    ch.writeInbound(Wire.preamble());
    assertInstanceOf(Frame.Hello.class, ch.readInbound());
    FrameException e = assertThrows(FrameException.class,
        () -> ch.writeInbound(Unpooled.buffer().writeInt(length)));
    assertEquals(WireStatus.BAD_REQUEST, e.status());
    assertFalse(ch.finish());
  }

  @Test
  void malformedRequestsAreRefused() {
    ByteBuf unknownType = Unpooled.buffer().writeInt(5).writeByte(0x7f).writeInt(1);
    ByteBuf noPieces = Unpooled.buffer().writeInt(39).writeByte(Protocol.GET_PIECES).writeInt(1)
        .writeZero(32).writeShort(0);
    ByteBuf countMismatch = Unpooled.buffer().writeInt(43).writeByte(Protocol.GET_PIECES).writeInt(1)
        .writeZero(32).writeShort(2).writeInt(0);
    ByteBuf tooManyPieces = Unpooled.buffer().writeInt(39).writeByte(Protocol.GET_PIECES).writeInt(1)
        .writeZero(32).writeShort(Protocol.MAX_PIECES_PER_FRAME + 1);
    ByteBuf shortBitmap = Unpooled.buffer().writeInt(10).writeByte(Protocol.GET_BITMAP).writeInt(1).writeZero(5);
    ByteBuf responseTypeFromClient = Wire.encode(new Frame.PieceHeader(1, 1, 1, 1));
    for (ByteBuf bad : List.of(unknownType, noPieces, countMismatch, tooManyPieces, shortBitmap,
        responseTypeFromClient)) {
      EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
      ch.writeInbound(Wire.preamble());
      ch.readInbound();
      FrameException e = assertThrows(FrameException.class, () -> ch.writeInbound(bad));
      assertEquals(WireStatus.BAD_REQUEST, e.status());
      assertFalse(ch.finish());
    }
  }

  @Test
  void randomGarbageNeverEscapesAsAnythingButFrameException() {
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] garbage = new byte[1 + random.nextInt(200)];
      random.nextBytes(garbage);
      boolean withPreamble = random.nextBoolean();
      for (boolean server : new boolean[] {true, false}) {
        EmbeddedChannel ch = new EmbeddedChannel(server ? new RequestDecoder() : new ResponseDecoder());
        try {
          if (withPreamble) {
            ch.writeInbound(Wire.preamble());
          }
          ch.writeInbound(Unpooled.wrappedBuffer(garbage));
        } catch (FrameException expected) {
          // fine: refused
        }
        ch.finishAndReleaseAll();
      }
    }
  }

  @Test
  void clientRefusesOversizedPieceAndBadBitmap() {
    EmbeddedChannel ch = new EmbeddedChannel(new ResponseDecoder(1 << 20));
    ch.writeInbound(Wire.preamble());
    ch.readInbound();
    assertThrows(FrameException.class, () -> ch.writeInbound(Wire.encode(
        new Frame.PieceHeader(1, 1, (1 << 20) + 1, 0))));
    assertFalse(ch.finish());

    EmbeddedChannel ch2 = new EmbeddedChannel(new ResponseDecoder());
    ch2.writeInbound(Wire.preamble());
    ch2.readInbound();
    // A bitmap naming piece 3 of a 3-piece content.
    ByteBuf b = Unpooled.buffer().writeInt(24).writeByte(Protocol.BITMAP).writeInt(1).writeByte(0).writeByte(0)
        .writeLong(3).writeInt(1).writeInt(3).writeByte(0x08);
    FrameException e = assertThrows(FrameException.class, () -> ch2.writeInbound(b));
    assertEquals(WireStatus.BAD_REQUEST, e.status());
    assertFalse(ch2.finish());
  }

  private static byte[] preambleBytes() {
    ByteBuf p = Wire.preamble();
    byte[] a = new byte[p.readableBytes()];
    p.readBytes(a);
    return a;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
