"""One exception hierarchy with a stable code, mirroring the Java ``ErrorCode``/``PeerException``.

Every failed call to the node daemon raises a subclass of :class:`RayFileError`. The daemon attaches an
``ErrorDetail`` (``proto/rayfile/v1/errors.proto``) to every failure; its ``code`` picks the class here, its
``message`` says what was wrong and what to do. Transport failures (daemon not running, wrong address, deadline)
become :class:`UnavailableError`, as in the Java client.

Example::

    try:
        path = rayfile.get("sha256:...")
    except rayfile.NotFoundError as e:
        print(e.code, e.message)
"""

from __future__ import annotations

import enum

__all__ = [
    "ErrorCode",
    "RayFileError",
    "InvalidArgumentError",
    "NotFoundError",
    "AlreadyExistsError",
    "BadManifestError",
    "CorruptContentError",
    "IncompleteError",
    "PinnedError",
    "QuotaExceededError",
    "DiskFullError",
    "UnavailableError",
    "RayFileIOError",
    "InternalError",
    "error_for",
]


class ErrorCode(str, enum.Enum):
    """Stable error codes, the same names as the Java ``io.rayfile.d7y.peer.ErrorCode`` (never renamed)."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    """A content id, path or option is malformed."""
    NOT_FOUND = "NOT_FOUND"
    """The node does not hold that content, or the path does not exist."""
    ALREADY_EXISTS = "ALREADY_EXISTS"
    """The destination of a download already exists."""
    BAD_MANIFEST = "BAD_MANIFEST"
    """A directory (manifest) breaks the manifest rules; nothing was written."""
    CORRUPT_CONTENT = "CORRUPT_CONTENT"
    """Stored bytes no longer match their CRC32C or SHA-256."""
    INCOMPLETE = "INCOMPLETE"
    """The content exists but not all of its pieces are here."""
    PINNED = "PINNED"
    """The operation would delete or evict a pinned content."""
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    """Pinned data alone fills the store's quota."""
    DISK_FULL = "DISK_FULL"
    """The file system ran out of space while writing; the partial data was removed."""
    UNAVAILABLE = "UNAVAILABLE"
    """The daemon (or a service it needs) cannot be reached, or did not answer in time."""
    IO_ERROR = "IO_ERROR"
    """Any other I/O failure."""
    INTERNAL = "INTERNAL"
    """A bug: something that should not happen did."""


class RayFileError(Exception):
    """Base of every RayFile error. ``code`` is stable; ``message`` says what was wrong and what to do."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"

    def __reduce__(self):  # keep code and message when an error crosses a process (Ray task errors)
        return (_rebuild_error, (self.code.value, self.message))


class InvalidArgumentError(RayFileError, ValueError):
    """A content id, path, address or option is malformed."""

    code = ErrorCode.INVALID_ARGUMENT


class NotFoundError(RayFileError, LookupError):
    """The node does not hold that content (and no peer or origin has it), or the path does not exist."""

    code = ErrorCode.NOT_FOUND


class AlreadyExistsError(RayFileError):
    """The download destination already exists."""

    code = ErrorCode.ALREADY_EXISTS


class BadManifestError(InvalidArgumentError):
    """A directory or manifest breaks the manifest rules (absolute paths, ``..``, escaping symlinks, ...)."""

    code = ErrorCode.BAD_MANIFEST


class CorruptContentError(RayFileError):
    """Stored bytes no longer match their CRC32C or SHA-256."""

    code = ErrorCode.CORRUPT_CONTENT


class IncompleteError(RayFileError):
    """Not all pieces of the content are on this node."""

    code = ErrorCode.INCOMPLETE


class PinnedError(RayFileError):
    """The content is pinned, so it cannot be deleted."""

    code = ErrorCode.PINNED


class QuotaExceededError(RayFileError):
    """Pinned data fills the node's quota; eviction cannot make room."""

    code = ErrorCode.QUOTA_EXCEEDED


class DiskFullError(RayFileError):
    """The node's file system filled up while writing; the partial data was removed."""

    code = ErrorCode.DISK_FULL


class UnavailableError(RayFileError):
    """The node daemon cannot be reached, is not a RayFile daemon, or did not answer in time."""

    code = ErrorCode.UNAVAILABLE


class RayFileIOError(RayFileError):
    """Any other I/O failure on the node."""

    code = ErrorCode.IO_ERROR


class InternalError(RayFileError):
    """A bug on either side, or an error code this client does not know yet."""

    code = ErrorCode.INTERNAL


_BY_CODE: dict[ErrorCode, type[RayFileError]] = {
    cls.code: cls
    for cls in (InvalidArgumentError, NotFoundError, AlreadyExistsError, BadManifestError, CorruptContentError,
                IncompleteError, PinnedError, QuotaExceededError, DiskFullError, UnavailableError, RayFileIOError,
                InternalError)
}


def error_for(code: str | ErrorCode, message: str) -> RayFileError:
    """The exception for a wire code; an unknown code (a newer daemon) becomes :class:`InternalError`."""
    try:
        known = ErrorCode(code)
    except ValueError:
        return InternalError(f"{message} (unknown error code {code!r} from the daemon)")
    return _BY_CODE[known](message)


def _rebuild_error(code: str, message: str) -> RayFileError:
    return error_for(code, message)
