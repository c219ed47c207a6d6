package io.rayfile.d7y.scheduler.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.rayfile.d7y.scheduler.SchedulerErrorCode;
import io.rayfile.d7y.scheduler.SchedulerException;
import io.rayfile.proto.v1.ErrorDetail;

/**
 * {@link SchedulerException} to gRPC status plus {@link ErrorDetail} trailer (the same trailer key the node API
 * uses, so one client-side decoder serves both).
 */
public final class GrpcErrors {
  public static final Metadata.Key<ErrorDetail> DETAIL_KEY = ProtoUtils.keyForProto(ErrorDetail.getDefaultInstance());

  private GrpcErrors() {}

  /** The exception as a scheduler error (anything unexpected becomes INTERNAL). */
  static SchedulerException asSchedulerException(Throwable error) {
    return error instanceof SchedulerException se
        ? se
        : new SchedulerException(SchedulerErrorCode.INTERNAL, "internal scheduler error: " + error, error);
  }

  public static StatusRuntimeException toStatus(Throwable error) {
    SchedulerException se = asSchedulerException(error);
    Metadata trailers = new Metadata();
    trailers.put(DETAIL_KEY, detail(se));
    return statusFor(se.code()).withDescription(se.getMessage()).asRuntimeException(trailers);
  }

  static ErrorDetail detail(SchedulerException se) {
    return ErrorDetail.newBuilder().setCode(se.code().name()).setMessage(String.valueOf(se.getMessage())).build();
  }

  static Status statusFor(SchedulerErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case INTERNAL -> Status.INTERNAL;
    };
  }
}
