"""``RayFile``: a handle on one content that holds one counted pin on a node daemon until it is released.

How references work (until the runtime's cross-language ownership lands): a handle's reference is a counted
pin on its process's node daemon. ``put`` imports with a pin that belongs to the returned handle; ``close()``,
leaving a ``with`` block, or garbage collection unpins exactly once. Unpickling a handle in another process is a
borrow: one more pin on that process's node. Pinned contents are never evicted; at pin count 0 the content is
evictable cache ("freed").
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rayfile.content import ContentInfo, ContentKind
from rayfile.errors import InvalidArgumentError, NotFoundError, RayFileError

if TYPE_CHECKING:
    from rayfile.client import Client

__all__ = ["RayFile"]

_log = logging.getLogger("rayfile")


class RayFile:
    """An immutable, content-addressed file or directory, held by one counted pin on a node daemon.

    Get one from :func:`rayfile.put` or :func:`rayfile.borrow`; resolve it to a local path with :meth:`get`.
    Release it with :meth:`close` or a ``with`` block; a forgotten handle is released when it is garbage
    collected (or at interpreter exit). Release is idempotent: the pin is dropped exactly once.

    A handle pickles: unpickling it in another process (a Ray task, a Serve call) borrows it, adding one pin on
    that process's node daemon, which that copy releases in turn. If that node does not hold the content yet,
    the borrow pins it once :meth:`get` has brought it there.

    Example::

        with rayfile.put("/data/model") as model:
            ref = train.remote(model)       # the task borrows it: one more pin while it holds the handle
            path = model.get()              # a read-only local copy (hard links), materialized atomically
    """

    __slots__ = ("_client", "_id", "_info", "_lock", "_finalizer", "_closed", "__weakref__")

    def __init__(self, client: Client, content_id: str, info: ContentInfo | None = None, *,
                 pinned: bool) -> None:
        """Internal: use :func:`rayfile.put`, :func:`rayfile.borrow` or unpickling."""
        self._client = client
        self._id = content_id
        self._info = info
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None
        self._closed = False
        if pinned:
            self._own_pin()

    # -- identity -------------------------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The content id, ``sha256:<64 hex>`` (or ``task:<hex>`` for URL contents)."""
        return self._id

    @property
    def kind(self) -> ContentKind | None:
        """File or directory, when known (always known for handles from ``put``)."""
        return self._info.kind if self._info is not None else None

    @property
    def info(self) -> ContentInfo | None:
        """What the node said about the content when this handle was made (not refreshed; see :meth:`stat`)."""
        return self._info

    @property
    def address(self) -> str:
        """The node daemon this handle's pin is on."""
        return self._client.address

    @property
    def pinned(self) -> bool:
        """True while this handle holds its pin."""
        fin = self._finalizer
        return fin is not None and fin.alive

    @property
    def closed(self) -> bool:
        """True after :meth:`close` or :meth:`detach`."""
        return self._closed

    # -- use ------------------------------------------------------------------------------------------------------

    def get(self, dest: str | os.PathLike[str] | None = None, *, writable: bool = False,
            timeout: float | None = None, progress: Callable[[int, int], None] | None = None) -> Path:
        """Materialize the content at a local path; see :meth:`rayfile.Client.get`."""
        self._check_open("get")
        return self._client.get(self, dest, writable=writable, timeout=timeout, progress=progress)

    def stat(self, *, verify: bool = False) -> ContentInfo:
        """Ask the node about this content now (pin count, state, sizes)."""
        return self._client.stat(self._id, verify=verify)

    def close(self) -> None:
        """Release this handle's pin (once; later calls do nothing). Never raises for a daemon that went away:
        the failure is logged, and the pin stays on that node until ``rayfile unpin``."""
        with self._lock:
            self._closed = True
            fin = self._finalizer
        if fin is not None:
            fin()

    def detach(self) -> str:
        """Give up this handle *without* unpinning: the pin stays until someone runs ``rayfile unpin ID``.
        Returns the id. For contents that must outlive this process (the CLI's ``put --pin``)."""
        with self._lock:
            self._closed = True
            fin = self._finalizer
        if fin is not None:
            fin.detach()
        return self._id

    def __enter__(self) -> RayFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pickling = borrowing -------------------------------------------------------------------------------------

    def __reduce__(self) -> tuple[Callable[..., RayFile], tuple[Any, ...]]:
        if self._closed:
            raise InvalidArgumentError(
                f"cannot pickle a closed RayFile handle ({self._id}): it no longer holds a reference; "
                "pass an open handle (or the id string, which holds nothing)")
        return (_borrow_on_unpickle, (self._id, self._client.address))

    def __copy__(self) -> RayFile:
        return self._client._borrow_known(self._id, self._info)

    def __deepcopy__(self, memo: dict[int, Any]) -> RayFile:
        return self.__copy__()

    # -- value semantics ------------------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RayFile) and other._id == self._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("pinned" if self.pinned else "not pinned yet")
        return f"RayFile({self._id!r}, {state}, node={self._client.address})"

    # -- internals ------------------------------------------------------------------------------------------------

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise InvalidArgumentError(f"cannot {what} a closed RayFile handle ({self._id}); borrow it again "
                                       "with rayfile.borrow(id) if you still need it")

    def _own_pin(self) -> None:
        """Make the pin that was just taken on the node this handle's to release."""
        with self._lock:
            if self._finalizer is not None:
                return
            self._finalizer = weakref.finalize(self, _release, self._client, self._id, os.getpid())
        self._client._track(self)

    def _pin_now(self) -> None:
        """For a borrow whose node did not hold the content at unpickling: pin once it is here."""
        if self.pinned or self._closed:
            return
        try:
            self._info = self._client.pin(self._id)
        except NotFoundError:
            _log.warning("rayfile: %s vanished from %s right after it was materialized; not pinned",
                         self._id, self._client.address)
            return
        self._own_pin()


def _release(client: Client, content_id: str, owner_pid: int) -> None:
    """The finalizer: unpin once. A forked child that inherited the handle does not own its pin."""
    if os.getpid() != owner_pid:
        return
    try:
        client.unpin(content_id, timeout=5.0)
    except RayFileError as e:
        _log.warning("rayfile: could not release %s on %s (%s); the pin stays until `rayfile unpin %s`",
                     content_id, client.address, e, content_id)
    except Exception as e:  # noqa: BLE001 - a finalizer must never raise (interpreter shutdown, closed channel)
        _log.debug("rayfile: release of %s failed: %r", content_id, e)


def _borrow_on_unpickle(content_id: str, address: str) -> RayFile:
    from rayfile import client as _client

    return _client.client_for_borrow(address)._borrow_known(content_id, None)
