package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.rayfile.d7y.peer.storage.DirectIo;
import io.rayfile.d7y.peer.storage.PieceData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one piece: its header, then its bytes as zero-copy file regions of at most {@code chunkSize}, each after
 * the rate bucket allowed it, with at most {@link #WINDOW} chunks written but not yet on the wire. The bytes never
 * pass through the Java heap, and a client that stops reading holds at most that window (file regions, not
 * memory) until the write time-out closes its connection. A store with direct I/O hands out pieces to read with
 * O_DIRECT: each chunk is then read on a {@link DirectIo#DISK disk thread} into a pooled, aligned staging buffer (at
 * most {@link #WINDOW} per upload) and sent from there, so serving does not pull the piece into the page cache and
 * the event loop does not wait for the disk. Runs on the connection's event loop, but for those reads.
 */
final class PieceUpload {
  private static final Logger log = LoggerFactory.getLogger(PieceUpload.class);
  /** Chunks written ahead of the socket: two keep it busy while the listener of the first queues the third. */
  static final int WINDOW = 2;

  /** Told once when the piece is fully on the wire or failed. */
  interface Done {
    void uploadDone(PieceUpload upload, boolean success);
  }

  private final ChannelHandlerContext ctx;
  private final int requestId;
  private final int piece;
  private final PieceData data;
  private final TokenBucket bucket;
  private final int chunkSize;
  private final TransferMetrics metrics;
  private final Done done;
  private FileChannel file;
  /** The file was opened with O_DIRECT: chunks are read into aligned buffers instead of sent as file regions. */
  private boolean direct;
  private long position;
  private int outstanding;
  private boolean waitingForTokens;
  /** A direct read is on a disk thread; the next chunk waits for it so chunks go out in order. */
  private boolean reading;
  private boolean finished;

  PieceUpload(ChannelHandlerContext ctx, int requestId, int piece, PieceData data, TokenBucket bucket,
      int chunkSize, TransferMetrics metrics, Done done) {
    this.ctx = ctx;
    this.requestId = requestId;
    this.piece = piece;
    this.data = data;
    this.bucket = bucket;
    this.chunkSize = chunkSize;
    this.metrics = metrics;
    this.done = done;
  }

  /**
   * Opens the piece's file and starts sending.
   *
   * @throws IOException when the file cannot be opened (nothing was written: the caller sends an error frame)
   */
  void start() throws IOException {
    if (data.directIo() && DirectIo.aligned(data.offset()) && chunkSize <= DirectIo.CHUNKS.size()
        && DirectIo.aligned(chunkSize)) {
      file = DirectIo.openRead(data.file());
      direct = file != null;
    }
    if (file == null) {
      file = FileChannel.open(data.file(), StandardOpenOption.READ);
    }
    if (file.size() < data.offset() + data.length()) {
      long size = file.size();
      closeFile();
      throw new IOException("piece " + piece + " ends at byte " + (data.offset() + data.length()) + " but "
          + data.file() + " has only " + size + " bytes");
    }
    ctx.write(new Frame.PieceHeader(requestId, piece, data.length(), data.crc32c()));
    if (data.length() == 0) {
      ctx.flush();
      finish(true);
      return;
    }
    pump();
  }

  int requestId() {
    return requestId;
  }

  int piece() {
    return piece;
  }

  /** Called when the connection went away: stop scheduling chunks. Outstanding ones fail on their own. */
  void abort() {
    if (!finished) {
      finish(false);
    }
  }

  private void pump() {
    while (!finished && !waitingForTokens && !reading && outstanding < WINDOW && position < data.length()) {
      int n = (int) Math.min(chunkSize, data.length() - position);
      long wait = bucket.reserve(n);
      if (wait > 0) {
        // Flush what is written (the header, at least) so that no write sits pending while we wait: the write
        // time-out must measure the client's reading, not our pacing.
        ctx.flush();
        waitingForTokens = true;
        ctx.executor().schedule(() -> {
          waitingForTokens = false;
          if (!finished) {
            send(n);
            pump();
          }
        }, wait, TimeUnit.NANOSECONDS);
        return;
      }
      send(n);
    }
  }

  private void send(int n) {
    if (!ctx.channel().isActive()) {
      finish(false);
      return;
    }
    long at = data.offset() + position;
    position += n;
    outstanding++;
    if (direct) {
      readOnDisk(at, n);
    } else {
      writeChunk(new PieceFileRegion(file, data.file(), at, n), null, n);
    }
  }

  /**
   * Reads a chunk with O_DIRECT on a disk thread, then writes it from the event loop. One read at a time, so chunks
   * go out in order; the socket sends the previous chunk meanwhile.
   */
  private void readOnDisk(long at, int n) {
    reading = true;
    ByteBuffer staged = DirectIo.CHUNKS.take();
    FileChannel ch = file; // stays open: this read counts as outstanding
    DirectIo.DISK.execute(() -> {
      IOException failure = null;
      try {
        if (!DirectIo.readAt(ch, staged, at, n)) {
          failure = new IOException(data.file() + " ends inside piece " + piece);
        }
      } catch (IOException e) {
        failure = e;
      }
      IOException failed = failure;
      ctx.executor().execute(() -> chunkRead(staged, n, failed));
    });
  }

  private void chunkRead(ByteBuffer staged, int n, IOException failure) {
    reading = false;
    if (failure == null && !finished && ctx.channel().isActive()) {
      writeChunk(Unpooled.wrappedBuffer(staged), staged, n);
      pump();
      return;
    }
    DirectIo.CHUNKS.give(staged);
    outstanding--;
    if (failure != null) {
      log.debug("reading piece {} of {} failed: {}", piece, data.file(), failure.toString());
      ctx.close(); // the header promised bytes that cannot come
    }
    finish(false);
  }

  /** Writes one chunk (a file region, or {@code staged} wrapped), counted in {@link #outstanding} already. */
  private void writeChunk(Object chunk, ByteBuffer staged, int n) {
    ChannelFuture f = ctx.writeAndFlush(chunk);
    f.addListener(future -> {
      if (staged != null) {
        DirectIo.CHUNKS.give(staged); // the write is over, on the wire or failed: nothing reads the buffer any more
      }
      outstanding--;
      if (future.isSuccess()) {
        metrics.bytesServed(n);
      }
      if (finished) {
        if (outstanding == 0) {
          closeFile();
        }
        return;
      }
      if (!future.isSuccess()) {
        log.debug("sending piece {} to {} failed: {}", piece, ctx.channel().remoteAddress(), future.cause());
        finish(false);
        ctx.close();
        return;
      }
      if (position == data.length() && outstanding == 0) {
        finish(true);
      } else {
        pump();
      }
    });
  }

  private void finish(boolean success) {
    if (!finished) {
      finished = true;
      done.uploadDone(this, success);
    }
    if (outstanding == 0) {
      closeFile();
    }
  }

  private void closeFile() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.debug("closing {} failed", data.file(), e);
      }
      file = null;
    }
  }
}
