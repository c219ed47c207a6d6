package io.rayfile.d7y.peer.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.proto.v1.ErrorDetail;

/**
 * Maps {@link PeerException} to a gRPC status plus an {@link ErrorDetail} trailer and back. The trailer carries
 * our own code, so a client recovers the exact {@link ErrorCode} rather than guessing from the gRPC code.
 */
public final class GrpcErrors {
  static final Metadata.Key<ErrorDetail> DETAIL_KEY =
      ProtoUtils.keyForProto(ErrorDetail.getDefaultInstance());

  private GrpcErrors() {}

  /** The status a server sends for {@code error}. */
  public static StatusRuntimeException toStatus(Throwable error) {
    PeerException pe = error instanceof PeerException p
        ? p
        : new PeerException(ErrorCode.INTERNAL, "internal error: " + error, error);
    Metadata trailers = new Metadata();
    trailers.put(DETAIL_KEY, ErrorDetail.newBuilder()
        .setCode(pe.code().name())
        .setMessage(String.valueOf(pe.getMessage()))
        .build());
    return statusFor(pe.code()).withDescription(pe.getMessage()).withCause(error).asRuntimeException(trailers);
  }

  /**
   * The exception a client raises for a failed call to {@code target}. Transport failures (daemon not running,
   * deadline) become {@link ErrorCode#UNAVAILABLE} with a message that says what to check.
   */
  public static PeerException fromStatus(StatusRuntimeException e, String target) {
    Metadata trailers = e.getTrailers();
    ErrorDetail detail = trailers == null ? null : trailers.get(DETAIL_KEY);
    if (detail != null) {
      ErrorCode code;
      try {
        code = ErrorCode.valueOf(detail.getCode());
      } catch (IllegalArgumentException unknown) {
        code = ErrorCode.INTERNAL;
      }
      return new PeerException(code, detail.getMessage(), e);
    }
    Status status = e.getStatus();
    return switch (status.getCode()) {
      case UNAVAILABLE -> new PeerException(ErrorCode.UNAVAILABLE,
          "cannot reach the node daemon at " + target + " (" + status.getDescription()
              + "); is `rayfile node` running there? Use --node HOST:PORT to point elsewhere", e);
      case DEADLINE_EXCEEDED -> new PeerException(ErrorCode.UNAVAILABLE,
          "the node daemon at " + target + " did not answer in time", e);
      case INVALID_ARGUMENT -> new PeerException(ErrorCode.INVALID_ARGUMENT, status.getDescription(), e);
      case NOT_FOUND -> new PeerException(ErrorCode.NOT_FOUND, status.getDescription(), e);
      default -> new PeerException(ErrorCode.INTERNAL,
          "call to " + target + " failed: " + status.getCode() + " " + status.getDescription(), e);
    };
  }

  static Status statusFor(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, BAD_MANIFEST -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
      case CORRUPT_CONTENT -> Status.DATA_LOSS;
      case INCOMPLETE, PINNED -> Status.FAILED_PRECONDITION;
      case QUOTA_EXCEEDED, DISK_FULL -> Status.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case IO_ERROR, INTERNAL -> Status.INTERNAL;
    };
  }
}
