"""``Client``: the node daemon's local gRPC API (``proto/rayfile/v1/node_api.proto``), with typed errors.

Every call has a deadline, so a wrong address or a daemon that stopped answering raises
:class:`~rayfile.errors.UnavailableError` instead of hanging.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import tempfile
import threading
import uuid
import weakref
from pathlib import Path
from typing import Callable, Union

import grpc

from rayfile._proto.v1 import errors_pb2, node_api_pb2, node_api_pb2_grpc
from rayfile.content import ContentInfo, ContentKind, ContentState, VerifyResult
from rayfile.errors import (
    AlreadyExistsError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    RayFileError,
    UnavailableError,
    error_for,
)
from rayfile.handle import RayFile

__all__ = ["Client", "connect", "resolve_address", "cache_dir", "DEFAULT_ADDRESS", "HandleOrId"]

_log = logging.getLogger("rayfile")

DEFAULT_ADDRESS = "127.0.0.1:7070"
"""The node daemon's default local API address (``rayfile node --api-port 7070``)."""

HandleOrId = Union[RayFile, str]

# The daemon's ErrorDetail trailer. grpc-java's ProtoUtils.keyForProto names it after the message
# ("rayfile.v1.errordetail-bin"); errors.proto and docs/cli.md say "rayfile-error-bin". Accept both.
_DETAIL_KEYS = ("rayfile.v1.errordetail-bin", "rayfile-error-bin")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+):(\d{1,5})$")
_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]")

_KINDS = {
    node_api_pb2.CONTENT_KIND_FILE: ContentKind.FILE,
    node_api_pb2.CONTENT_KIND_DIRECTORY: ContentKind.DIRECTORY,
    node_api_pb2.CONTENT_KIND_EXTERNAL: ContentKind.EXTERNAL,
}
_STATES = {
    node_api_pb2.CONTENT_STATE_PARTIAL: ContentState.PARTIAL,
    node_api_pb2.CONTENT_STATE_COMPLETE: ContentState.COMPLETE,
}


def resolve_address(address: str | None = None) -> str:
    """The node daemon address to use: ``address``, else ``$RAYFILE_ADDRESS``, else ``$RAYFILE_NODE`` (the Java
    CLI's variable), else ``127.0.0.1:7070``. Accepts ``HOST:PORT``, ``[V6]:PORT`` and ``unix:/path``.

    Raises:
        InvalidArgumentError: the address is not of that form.
    """
    chosen = address or os.environ.get("RAYFILE_ADDRESS") or os.environ.get("RAYFILE_NODE") or DEFAULT_ADDRESS
    chosen = chosen.strip()
    if chosen.startswith("unix:"):
        return chosen
    match = _HOST_PORT.match(chosen)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise InvalidArgumentError(
            f"bad node daemon address {chosen!r}: expected HOST:PORT (for example 127.0.0.1:7070) or unix:/path")
    return chosen


def cache_dir() -> Path:
    """Where ``get(..., dest=None)`` materializes: ``$RAYFILE_CACHE_DIR``, else ``<tmp>/rayfile-<uid>``."""
    configured = os.environ.get("RAYFILE_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().absolute()
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"rayfile-{uid}"


def _safe_name(content_id: str) -> str:
    return _ID_SAFE.sub("-", content_id)


def _millis(ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)


def _content(msg: node_api_pb2.ContentInfo, verify: node_api_pb2.VerifyResult | None = None) -> ContentInfo:
    return ContentInfo(
        id=msg.id,
        kind=_KINDS.get(msg.kind, ContentKind.UNSPECIFIED),
        length=msg.length,
        piece_length=msg.piece_length,
        piece_count=msg.piece_count,
        finished_pieces=msg.finished_pieces,
        state=_STATES.get(msg.state, ContentState.UNSPECIFIED),
        pin_count=msg.pin_count,
        last_access=_millis(msg.last_access_millis),
        created=_millis(msg.created_millis),
        tree_bytes=msg.tree_bytes,
        entry_count=msg.entry_count,
        verify=None if verify is None else VerifyResult(
            ok=verify.ok, sha256_ok=verify.sha256_ok, bad_pieces=tuple(verify.bad_pieces), detail=verify.detail),
    )


class Client:
    """A connection to one node daemon's local API.

    Prefer :func:`rayfile.connect`, which reuses one client per address in a process. Methods raise
    :class:`~rayfile.errors.RayFileError` subclasses; every call is bounded by a deadline.

    Args:
        address: ``HOST:PORT`` of the daemon; see :func:`resolve_address` for the default.
        connect_timeout: seconds to establish the connection before :class:`UnavailableError`.
        call_timeout: deadline of control calls (stat, pin, unpin).
        transfer_timeout: default deadline of ``put`` and ``get``, which move whole contents.

    Example::

        client = rayfile.Client("127.0.0.1:7070")
        with client.put("/data/model") as model:
            print(client.stat(model).pin_count)
    """

    def __init__(self, address: str | None = None, *, connect_timeout: float = 5.0, call_timeout: float = 30.0,
                 transfer_timeout: float = 3600.0) -> None:
        self._address = resolve_address(address)
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self.transfer_timeout = transfer_timeout
        self._pid = os.getpid()
        self._closed = False
        self._handles: weakref.WeakSet[RayFile] = weakref.WeakSet()
        self._handles_lock = threading.Lock()
        # The local API is on loopback (or a Unix socket): never route it through an HTTP proxy from the env.
        self._channel = grpc.insecure_channel(self._address, options=[("grpc.enable_http_proxy", 0)])
        state = _wait_connected(self._channel, connect_timeout)
        if state is not grpc.ChannelConnectivity.READY:
            self._channel.close()
            why = (f"no answer within {connect_timeout:g}s" if state is None
                   else "connection refused or not speaking gRPC")
            raise UnavailableError(
                f"cannot reach a RayFile node daemon at {self._address} ({why}): is `rayfile node` running there? "
                "Point elsewhere with rayfile.connect(address=...) or $RAYFILE_ADDRESS")
        self._stub = node_api_pb2_grpc.NodeApiStub(self._channel)

    @property
    def address(self) -> str:
        """The daemon's address, as resolved."""
        return self._address

    @property
    def closed(self) -> bool:
        """True after :meth:`close` (or in a forked child, where the parent's connection is unusable)."""
        return self._closed or self._pid != os.getpid()

    # -- the API --------------------------------------------------------------------------------------------------

    def put(self, path: str | os.PathLike[str], *, move: bool = False, timeout: float | None = None) -> RayFile:
        """Import a local file or directory into the node's store and return a pinned handle on it.

        The path must be on the daemon's machine (it is made absolute here). Identical contents get the same id;
        putting one twice gives two handles, two pins. With ``move=True`` the store hard-links the file instead
        of copying it (same file system; never modify the source afterwards).

        Raises:
            NotFoundError: nothing at ``path``.
            BadManifestError: a directory breaks the manifest rules (for example a symlink leaving it).
            QuotaExceededError, DiskFullError: the node cannot store it.
        """
        absolute = Path(path).expanduser().absolute()
        resp = self._unary(self._stub.Import, node_api_pb2.ImportRequest(path=str(absolute), move=move, pin=True),
                           timeout or self.transfer_timeout)
        info = _content(resp.content)
        return RayFile(self, info.id, info, pinned=True)

    def get(self, handle_or_id: HandleOrId, dest: str | os.PathLike[str] | None = None, *, writable: bool = False,
            timeout: float | None = None, progress: Callable[[int, int], None] | None = None) -> Path:
        """Materialize a content at a local path and return it: from this node's store, else from peers.

        A file becomes a read-only hard link (a private copy with ``writable=True``); a directory is assembled
        aside and renamed into place, so a reader never sees half of it. ``dest`` must not exist yet (its parents
        are created). With ``dest=None`` the content goes to ``cache_dir()/objects/<id>``, shared by every
        process of this user on the machine and reused when already there.

        Given a handle that was borrowed before its node held the content, the handle takes its pin now.

        Args:
            progress: called with ``(done_bytes, total_bytes)`` as the daemon reports progress.

        Raises:
            NotFoundError: neither this node nor any peer or origin has the content.
            AlreadyExistsError: ``dest`` exists.
            UnavailableError: the daemon cannot be reached or the transfer passed ``timeout``.
        """
        content_id = _id_of(handle_or_id)
        reuse = dest is None and not writable
        if dest is not None:
            target = Path(dest).expanduser().absolute()
        elif writable:
            target = cache_dir() / "writable" / f"{_safe_name(content_id)}-{uuid.uuid4().hex[:12]}"
        else:
            target = cache_dir() / "objects" / _safe_name(content_id)
        if reuse and os.path.lexists(target):
            path = target
        else:
            try:
                path = self._download(content_id, str(target), writable=writable, timeout=timeout,
                                      progress=progress)
            except AlreadyExistsError:
                if not (reuse and os.path.lexists(target)):  # not another process materializing the same id
                    raise
                path = target
        if isinstance(handle_or_id, RayFile):
            handle_or_id._pin_now()
        return path

    def stat(self, handle_or_id: HandleOrId, *, verify: bool = False, timeout: float | None = None) -> ContentInfo:
        """Describe a content on this node; with ``verify=True`` re-read it and check every piece and the SHA-256.

        Raises:
            NotFoundError: this node does not hold it.
            InvalidArgumentError: not a valid id.
        """
        resp = self._unary(self._stub.Stat, node_api_pb2.StatRequest(id=_id_of(handle_or_id), verify=verify),
                           timeout or (self.transfer_timeout if verify else self.call_timeout))
        return _content(resp.content, resp.verify if resp.HasField("verify") else None)

    def borrow(self, content_id: str, *, fetch: bool = True, timeout: float | None = None) -> RayFile:
        """A pinned handle on an existing content, for example one uploaded from Java or the CLI.

        When this node does not hold it yet and ``fetch`` is true, the content is first brought into the node's
        store (from peers or its origin) without materializing it anywhere.

        Raises:
            NotFoundError: no node or origin has it (or ``fetch=False`` and this node does not).
        """
        content_id = _id_of(content_id)
        try:
            info = self.pin(content_id)
        except NotFoundError:
            if not fetch:
                raise
            self._download(content_id, "", no_output=True, timeout=timeout)
            info = self.pin(content_id)
        return RayFile(self, content_id, info, pinned=True)

    def pin(self, content_id: str, *, timeout: float | None = None) -> ContentInfo:
        """Low level: add one counted pin. Every pin needs one :meth:`unpin`; prefer handles, which do both."""
        resp = self._unary(self._stub.Pin, node_api_pb2.PinRequest(id=_id_of(content_id)),
                           timeout or self.call_timeout)
        return _content(resp.content)

    def unpin(self, content_id: str, *, timeout: float | None = None) -> ContentInfo:
        """Low level: drop one counted pin (the count never goes below zero)."""
        resp = self._unary(self._stub.Unpin, node_api_pb2.PinRequest(id=_id_of(content_id)),
                           timeout or self.call_timeout)
        return _content(resp.content)

    def close(self) -> None:
        """Release every handle still open on this client, then close the connection."""
        with self._handles_lock:
            handles = list(self._handles)
        for handle in handles:
            handle.close()
        self._closed = True
        self._channel.close()
        with _registry_lock:
            if _clients.get(self._address) is self:
                del _clients[self._address]

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self._address!r}{', closed' if self.closed else ''})"

    # -- internals ------------------------------------------------------------------------------------------------

    def _track(self, handle: RayFile) -> None:
        with self._handles_lock:
            self._handles.add(handle)

    def _borrow_known(self, content_id: str, info: ContentInfo | None) -> RayFile:
        """A borrow (unpickling, copying): pin if this node holds the content, else pin at the first ``get``."""
        try:
            info = self.pin(content_id)
        except NotFoundError:
            return RayFile(self, content_id, info, pinned=False)
        return RayFile(self, content_id, info, pinned=True)

    def _check_usable(self) -> None:
        if self._closed:
            raise UnavailableError(f"this RayFile client for {self._address} was closed; call rayfile.connect()")
        if self._pid != os.getpid():
            raise UnavailableError(
                f"this RayFile client for {self._address} was made before a fork; call rayfile.connect() in the "
                "child process")

    def _unary(self, rpc: Callable, request: object, timeout: float):  # noqa: ANN202 - a generated response type
        self._check_usable()
        try:
            return rpc(request, timeout=timeout)
        except grpc.RpcError as e:
            raise self._error(e, timeout) from None

    def _download(self, content_id: str, output: str, *, writable: bool = False, no_output: bool = False,
                  timeout: float | None = None, progress: Callable[[int, int], None] | None = None) -> Path:
        self._check_usable()
        timeout = timeout or self.transfer_timeout
        request = node_api_pb2.DownloadRequest(id=content_id, output=output, writable=writable, no_output=no_output)
        call = self._stub.Download(request, timeout=timeout)
        last = None
        try:
            for message in call:
                if progress is not None:
                    progress(message.done_bytes, message.total_bytes)
                if message.finished:
                    last = message
        except grpc.RpcError as e:
            raise self._error(e, timeout) from None
        except BaseException:
            call.cancel()
            raise
        if last is None:
            raise InternalError(f"the node daemon at {self._address} ended the download of {content_id} without "
                                "saying it finished")
        return Path(last.path) if last.path else Path(output)

    def _error(self, e: grpc.RpcError, timeout: float) -> RayFileError:
        for key, value in (e.trailing_metadata() or ()):
            if key in _DETAIL_KEYS:
                try:
                    detail = errors_pb2.ErrorDetail.FromString(value)
                except Exception:  # noqa: BLE001 - a garbled trailer: fall back to the status below
                    break
                return error_for(detail.code, detail.message)
        code, details = e.code(), e.details()
        if code == grpc.StatusCode.UNAVAILABLE:
            return UnavailableError(
                f"cannot reach the RayFile node daemon at {self._address} ({details}); is `rayfile node` running "
                "there? Point elsewhere with rayfile.connect(address=...) or $RAYFILE_ADDRESS")
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return UnavailableError(f"the node daemon at {self._address} did not answer within {timeout:g}s")
        if code == grpc.StatusCode.UNIMPLEMENTED:
            return UnavailableError(f"{self._address} answers gRPC but is not a RayFile node daemon ({details})")
        if code == grpc.StatusCode.INVALID_ARGUMENT:
            return InvalidArgumentError(details or "invalid argument")
        if code == grpc.StatusCode.NOT_FOUND:
            return NotFoundError(details or "not found")
        return InternalError(f"call to {self._address} failed: {code.name} {details}")


def _wait_connected(channel: grpc.Channel, timeout: float) -> grpc.ChannelConnectivity | None:
    """READY, TRANSIENT_FAILURE (refused, or not HTTP/2 at all: fail at once), or None after ``timeout`` (a
    silent peer)."""
    done = threading.Event()
    outcome: list[grpc.ChannelConnectivity] = []

    def on_change(state: grpc.ChannelConnectivity) -> None:
        if state in (grpc.ChannelConnectivity.READY, grpc.ChannelConnectivity.TRANSIENT_FAILURE,
                     grpc.ChannelConnectivity.SHUTDOWN) and not done.is_set():
            outcome.append(state)
            done.set()

    channel.subscribe(on_change, try_to_connect=True)
    try:
        done.wait(timeout)
    finally:
        channel.unsubscribe(on_change)
    return outcome[0] if outcome else None


def _id_of(handle_or_id: HandleOrId) -> str:
    if isinstance(handle_or_id, RayFile):
        return handle_or_id.id
    if isinstance(handle_or_id, str) and handle_or_id:
        return handle_or_id.strip()
    raise InvalidArgumentError(
        f"expected a RayFile handle or a content id string like 'sha256:<64 hex>', got {type(handle_or_id).__name__}"
        f" {handle_or_id!r}")


# -- one client per address and process ------------------------------------------------------------------------------

_registry_lock = threading.RLock()
_clients: dict[str, Client] = {}
_default: Client | None = None


def connect(address: str | None = None, **options: float) -> Client:
    """Connect to a node daemon and make it this process's default for :func:`rayfile.put` and friends.

    ``address`` defaults to ``$RAYFILE_ADDRESS``, then ``$RAYFILE_NODE``, then the local daemon at
    ``127.0.0.1:7070``. A process keeps one client per address: connecting again returns the same one.
    ``options`` are :class:`Client` keyword arguments (``connect_timeout``, ``call_timeout``,
    ``transfer_timeout``), used when a new client is made.

    Raises:
        UnavailableError: no RayFile daemon answers there within ``connect_timeout`` (default 5 s).
        InvalidArgumentError: the address is malformed.

    Example::

        rayfile.connect()                      # the local node daemon
        rayfile.connect("127.0.0.1:7080")      # another one
    """
    global _default
    resolved = resolve_address(address)
    with _registry_lock:
        client = _clients.get(resolved)
        if client is None or client.closed:
            client = Client(resolved, **options)
            _clients[resolved] = client
        _default = client
        return client


def default_client() -> Client:
    """This process's default client, connecting with :func:`connect` defaults on first use."""
    with _registry_lock:
        if _default is not None and not _default.closed:
            return _default
    return connect()


def client_for_borrow(pickled_address: str) -> Client:
    """The client an unpickled handle pins on: this process's node. That is the default client when one was
    made, else ``$RAYFILE_ADDRESS``/``$RAYFILE_NODE`` when set, else the address the handle was pickled with."""
    with _registry_lock:
        if _default is not None and not _default.closed:
            return _default
    if os.environ.get("RAYFILE_ADDRESS") or os.environ.get("RAYFILE_NODE"):
        return connect()
    return connect(pickled_address)
