"""RayFile for Python: content-addressed file objects moved peer to peer by the RayFile node daemon.

Example::

    import rayfile

    rayfile.connect()                          # the local node daemon ($RAYFILE_ADDRESS or 127.0.0.1:7070)
    with rayfile.put("/data/model") as model:  # a pinned, content-addressed handle: model.id == "sha256:..."
        path = rayfile.get(model)              # a read-only local directory, materialized atomically
        print(rayfile.stat(model).pin_count)

Handles pickle: a handle passed to a Ray task or a Serve call is borrowed there (one more pin on that process's
node) and released when that copy is closed or collected. See ``rayfile.serve`` for Ray Serve deployments and
``rayfile.runtime_env`` for the ``runtime_env={"rayfile": {...}}`` plugin.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from rayfile.client import DEFAULT_ADDRESS, Client, HandleOrId, cache_dir, connect, default_client
from rayfile.content import ContentInfo, ContentKind, ContentState, VerifyResult
from rayfile.errors import (
    AlreadyExistsError,
    BadManifestError,
    CorruptContentError,
    DiskFullError,
    ErrorCode,
    IncompleteError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PinnedError,
    QuotaExceededError,
    RayFileError,
    RayFileIOError,
    UnavailableError,
)
from rayfile.handle import RayFile

__version__ = "0.1.0"

__all__ = [
    "connect", "put", "get", "stat", "borrow", "Client", "RayFile", "HandleOrId", "DEFAULT_ADDRESS", "cache_dir",
    "ContentInfo", "ContentKind", "ContentState", "VerifyResult",
    "ErrorCode", "RayFileError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError", "BadManifestError",
    "CorruptContentError", "IncompleteError", "PinnedError", "QuotaExceededError", "DiskFullError",
    "UnavailableError", "RayFileIOError", "InternalError",
]


def put(path: str | os.PathLike[str], *, move: bool = False, timeout: float | None = None) -> RayFile:
    """Import a local file or directory into this process's node and return a pinned handle on it.

    The handle's pin is released by ``close()``, a ``with`` block, or garbage collection. See :meth:`Client.put`.
    """
    return default_client().put(path, move=move, timeout=timeout)


def get(handle_or_id: HandleOrId, dest: str | os.PathLike[str] | None = None, *, writable: bool = False,
        timeout: float | None = None, progress: Callable[[int, int], None] | None = None) -> Path:
    """Materialize a file or directory (by handle or id) at a local path, atomically, and return the path.

    ``dest=None`` uses a shared per-user cache directory (:func:`cache_dir`). See :meth:`Client.get`.
    """
    return default_client().get(handle_or_id, dest, writable=writable, timeout=timeout, progress=progress)


def stat(handle_or_id: HandleOrId, *, verify: bool = False) -> ContentInfo:
    """Describe a content on this process's node (pin count, kind, sizes, state). See :meth:`Client.stat`."""
    return default_client().stat(handle_or_id, verify=verify)


def borrow(content_id: str, *, fetch: bool = True) -> RayFile:
    """A pinned handle on an existing content (say, uploaded from Java), fetched into this node if needed."""
    return default_client().borrow(content_id, fetch=fetch)
