"""Ray Serve helper: a model directory per replica, resolved on the replica's node and swapped atomically.

:class:`ModelSlot` holds the version a replica serves. ``switch(id)`` borrows the new content on the replica's
node daemon (fetching it peer to peer if the node lacks it), materializes it (read-only hard links, renamed into
place), runs your ``load`` function on the directory, and only then makes it current. The old version is released
(unpinned, its materialization removed) after the swap, as soon as no request is still using it.

Nothing here imports Ray: the slot talks to ``$RAYFILE_ADDRESS`` (the node daemon of the machine the replica runs
on), so it works in any process. Example::

    from ray import serve
    from rayfile.serve import ModelSlot

    @serve.deployment(num_replicas=2, user_config={"model_id": "sha256:..."})
    class Model:
        def __init__(self):
            self.model = ModelSlot(load=load_my_model)     # load: Path -> your model object

        def reconfigure(self, user_config):
            self.model.reconfigure(user_config)            # switch to user_config["model_id"]

        async def __call__(self, request):
            with self.model.use() as version:              # files stay until this request is done
                return version.value.predict(await request.json())

        def __del__(self):                                 # Serve calls it when the replica shuts down
            self.model.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import shutil
import stat
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Generic, Iterator, Mapping, TypeVar, cast

from rayfile.client import Client, cache_dir, default_client
from rayfile.errors import InvalidArgumentError, RayFileError
from rayfile.handle import RayFile

__all__ = ["ModelSlot", "ModelVersion"]

_log = logging.getLogger("rayfile")

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class ModelVersion(Generic[T]):
    """One loaded version: its content id, its local directory and what ``load`` made of it."""

    id: str
    path: Path
    value: T


@dataclasses.dataclass(eq=False)
class _Entry(Generic[T]):
    version: ModelVersion[T]
    handle: RayFile
    root: Path
    users: int = 0
    retired: bool = False
    released: bool = False


class ModelSlot(Generic[T]):
    """The model version a replica serves, switched atomically between content ids.

    Args:
        model_id: load this id right away (else call :meth:`switch` / :meth:`reconfigure` first).
        load: turns a materialized directory (or file) into the object you serve; default: the path itself.
        client: the node daemon to use; default :func:`rayfile.connect` (``$RAYFILE_ADDRESS`` or the local one).
        root: where versions are materialized; default a private directory under :func:`rayfile.cache_dir`.
    """

    def __init__(self, model_id: str | None = None, *, load: Callable[[Path], T] | None = None,
                 client: Client | None = None, root: str | os.PathLike[str] | None = None) -> None:
        self._load = load
        self._client = client
        self._root = Path(root) if root is not None else (
            cache_dir() / "serve" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
        self._lock = threading.Lock()          # guards _current and entry counters
        self._switch_lock = threading.Lock()   # one switch at a time; requests keep being served meanwhile
        self._current: _Entry[T] | None = None
        self._closed = False
        if model_id is not None:
            self.switch(model_id)

    # -- reading --------------------------------------------------------------------------------------------------

    @property
    def current(self) -> ModelVersion[T]:
        """The version being served. Its files may be removed after the next switch; read them inside
        :meth:`use` when a request reads files lazily."""
        entry = self._current
        if entry is None:
            raise InvalidArgumentError("no model loaded yet: call switch(model_id) or reconfigure(user_config) first")
        return entry.version

    @property
    def id(self) -> str:
        """Content id of the current version."""
        return self.current.id

    @property
    def path(self) -> Path:
        """Local path of the current version."""
        return self.current.path

    @property
    def value(self) -> T:
        """What ``load`` returned for the current version."""
        return self.current.value

    @contextlib.contextmanager
    def use(self) -> Iterator[ModelVersion[T]]:
        """Hold the current version for the duration of a request: a switch meanwhile does not release it until
        the block ends."""
        with self._lock:
            entry = self._current
            if entry is None:
                raise InvalidArgumentError("no model loaded yet: call switch(model_id) or reconfigure(user_config)")
            entry.users += 1
        try:
            yield entry.version
        finally:
            with self._lock:
                entry.users -= 1
                release = entry.retired and entry.users == 0 and not entry.released
                if release:
                    entry.released = True
            if release:
                self._release(entry)

    # -- switching ------------------------------------------------------------------------------------------------

    def switch(self, model_id: str) -> ModelVersion[T]:
        """Make ``model_id`` the served version: borrow it on this node, materialize it, load it, swap it in, then
        release the previous version. Switching to the current id does nothing. On failure the previous version
        stays current and the error is raised.

        Raises:
            NotFoundError: no node or origin has ``model_id``.
            UnavailableError: the node daemon cannot be reached.
        """
        if not isinstance(model_id, str) or not model_id.strip():
            raise InvalidArgumentError(f"model id must be a content id string like 'sha256:<hex>', got {model_id!r}")
        model_id = model_id.strip()
        with self._switch_lock:
            if self._closed:
                raise InvalidArgumentError("this ModelSlot is closed")
            current = self._current
            if current is not None and current.version.id == model_id:
                return current.version
            client = self._client or default_client()
            handle = client.borrow(model_id)
            version_root = self._root / f"{model_id.replace(':', '-')}-{uuid.uuid4().hex[:8]}"
            try:
                path = handle.get(version_root / "model")
                value = self._load(path) if self._load is not None else cast(T, path)
            except BaseException:
                handle.close()
                _remove_tree(version_root)
                raise
            entry: _Entry[T] = _Entry(ModelVersion(model_id, path, value), handle, version_root)
            with self._lock:
                old, self._current = self._current, entry
                retire = old if old is not None and self._retire(old) else None
            if retire is not None:
                self._release(retire)
            _log.info("rayfile: serving %s from %s", model_id, path)
            return entry.version

    def reconfigure(self, user_config: Mapping[str, Any], key: str = "model_id") -> ModelVersion[T]:
        """For a deployment's ``reconfigure(user_config)``: switch to ``user_config[key]``."""
        if not isinstance(user_config, Mapping) or key not in user_config:
            raise InvalidArgumentError(f"user_config must be a mapping with a {key!r} entry (a content id), "
                                       f"got {user_config!r}")
        return self.switch(user_config[key])

    async def switch_async(self, model_id: str) -> ModelVersion[T]:
        """:meth:`switch` in a worker thread, for ``async def reconfigure``: the event loop keeps serving."""
        return await asyncio.to_thread(self.switch, model_id)

    def close(self) -> None:
        """Release the current version and remove this slot's materializations. Idempotent."""
        with self._switch_lock:
            self._closed = True
            with self._lock:
                entry, self._current = self._current, None
                if entry is not None and entry.users > 0:
                    _log.warning("rayfile: closing the model slot while %d request(s) still use %s",
                                 entry.users, entry.version.id)
                retire = entry if entry is not None and self._retire(entry, force=True) else None
            if retire is not None:
                self._release(retire)
            _remove_tree(self._root)

    @staticmethod
    def _retire(entry: _Entry[T], force: bool = False) -> bool:
        """Marks ``entry`` retired (under ``_lock``); True when the caller must release it now."""
        entry.retired = True
        if entry.released or (entry.users > 0 and not force):
            return False
        entry.released = True
        return True

    def _release(self, entry: _Entry[T]) -> None:
        try:
            entry.handle.close()
        except RayFileError as e:  # close() already logs and swallows daemon errors; be safe anyway
            _log.warning("rayfile: releasing %s failed: %s", entry.version.id, e)
        _remove_tree(entry.root)
        _log.info("rayfile: released %s", entry.version.id)


def _remove_tree(path: Path) -> None:
    """Remove a materialization: its files are read-only hard links; directories may need write permission."""

    def make_writable_and_retry(func: Callable[[str], Any], failed: str, _exc: object) -> None:
        parent = os.path.dirname(failed)
        with contextlib.suppress(OSError):
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            func(failed)

    if os.path.lexists(path):
        shutil.rmtree(path, onerror=make_writable_and_retry)
