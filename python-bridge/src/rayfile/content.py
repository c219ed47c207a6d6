"""What a node says about a content: plain value types, independent of the generated gRPC classes."""

from __future__ import annotations

import dataclasses
import datetime
import enum

__all__ = ["ContentKind", "ContentState", "ContentInfo", "VerifyResult"]


class ContentKind(str, enum.Enum):
    """What a content id names."""

    FILE = "file"
    DIRECTORY = "directory"
    """A directory manifest; its entries are contents of their own."""
    EXTERNAL = "external"
    """Bytes of an external origin (URL task), keyed by its task id."""
    UNSPECIFIED = "unspecified"


class ContentState(str, enum.Enum):
    """Whether every piece of the content is on the node."""

    PARTIAL = "partial"
    COMPLETE = "complete"
    UNSPECIFIED = "unspecified"


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``stat(id, verify=True)``: every piece CRC and the SHA-256 re-checked."""

    ok: bool
    sha256_ok: bool
    bad_pieces: tuple[int, ...]
    detail: str


@dataclasses.dataclass(frozen=True)
class ContentInfo:
    """One content as the node daemon knows it (``rayfile stat``)."""

    id: str
    kind: ContentKind
    length: int
    """Bytes of the content itself (for a directory: of its manifest)."""
    piece_length: int
    piece_count: int
    finished_pieces: int
    state: ContentState
    pin_count: int
    """Counted pins on this node; 0 means the content is evictable cache."""
    last_access: datetime.datetime
    created: datetime.datetime
    tree_bytes: int
    """For a directory: total size of the files its manifest names."""
    entry_count: int
    """For a directory: number of manifest entries."""
    verify: VerifyResult | None = None
    """Present when the stat asked for verification."""

    @property
    def is_directory(self) -> bool:
        """True for a directory manifest."""
        return self.kind is ContentKind.DIRECTORY

    @property
    def complete(self) -> bool:
        """True when every piece is on this node and verified."""
        return self.state is ContentState.COMPLETE

    @property
    def size(self) -> int:
        """Bytes a materialization of this content holds: ``tree_bytes`` for a directory, else ``length``."""
        return self.tree_bytes if self.is_directory else self.length
