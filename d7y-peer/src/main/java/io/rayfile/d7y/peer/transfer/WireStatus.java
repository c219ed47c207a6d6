package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.ErrorCode;

/** Status codes of ERROR frames (u16 on the wire). Never renumber one. */
public enum WireStatus {
  /** The parent does not hold the content at all. */
  NOT_FOUND(1, ErrorCode.NOT_FOUND),
  /** The piece number is negative or past the content's last piece. */
  PIECE_OUT_OF_RANGE(2, ErrorCode.INVALID_ARGUMENT),
  /** The parent holds the content, but not this piece yet (it is downloading it too). */
  PIECE_MISSING(3, ErrorCode.INCOMPLETE),
  /** Every upload slot is taken and the wait queue is full: ask another parent or retry later. */
  BUSY(4, ErrorCode.UNAVAILABLE),
  /** The connection already has the most requests in flight the parent allows. */
  TOO_MANY_REQUESTS(5, ErrorCode.UNAVAILABLE),
  /** A malformed frame; the parent closes the connection after sending this. */
  BAD_REQUEST(6, ErrorCode.INTERNAL),
  /** Wrong magic or unsupported version; the parent closes the connection after sending this. */
  BAD_VERSION(7, ErrorCode.UNAVAILABLE),
  /** The parent could not read its own disk. */
  IO_ERROR(8, ErrorCode.IO_ERROR),
  /** A bug on the parent. */
  INTERNAL(9, ErrorCode.INTERNAL),
  /**
   * A scarce parent is sending this piece to another peer right now (or just did): fetch other pieces from it, and
   * this one from that peer once it has it ({@code UploadClaims}).
   */
  SENDING_ELSEWHERE(10, ErrorCode.UNAVAILABLE);

  private final int code;
  private final ErrorCode errorCode;

  WireStatus(int code, ErrorCode errorCode) {
    this.code = code;
    this.errorCode = errorCode;
  }

  /** The u16 on the wire. */
  public int code() {
    return code;
  }

  /** The peer error code a failed fetch carries. */
  public ErrorCode errorCode() {
    return errorCode;
  }

  /** The status for a wire code; unknown codes (a newer peer) read as {@link #INTERNAL}. */
  static WireStatus of(int code) {
    for (WireStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return INTERNAL;
  }

  /** The status to send for a store failure. */
  static WireStatus forStoreError(ErrorCode code) {
    return switch (code) {
      case NOT_FOUND -> NOT_FOUND;
      case INVALID_ARGUMENT -> PIECE_OUT_OF_RANGE;
      case INCOMPLETE -> PIECE_MISSING;
      case IO_ERROR, CORRUPT_CONTENT, DISK_FULL -> IO_ERROR;
      default -> INTERNAL;
    };
  }
}
