"""A Ray ``RuntimeEnvPlugin``: ``runtime_env={"rayfile": {"MODEL_DIR": "<id>"}}`` fetches before the worker starts.

For each ``ENV_VAR: content id`` entry, the node's runtime-env agent borrows the content on its node daemon
(``$RAYFILE_ADDRESS``, fetching it peer to peer when the node lacks it), materializes it once per node, and starts
the worker (a task, an actor, a Serve replica) with ``ENV_VAR`` set to the local path.

Register it on every node before Ray starts there (the agent reads the variable at startup)::

    export RAY_RUNTIME_ENV_PLUGINS='[{"class": "rayfile.runtime_env.RayFilePlugin"}]'
    export RAYFILE_ADDRESS=127.0.0.1:7070      # this node's daemon; the default
    ray start ...

References: each distinct id holds one pin on the node for as long as Ray keeps the runtime env installed. Ray
keeps unused installs in a per-plugin cache of ``RAY_RUNTIME_ENV_RAYFILE_CACHE_SIZE_GB`` gigabytes; this plugin
defaults that to 0, so an id is unpinned and its directory removed once no worker uses it (the RayFile node store
is the cache that matters: the content stays there as evictable cache).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import uuid
from pathlib import Path
from typing import Any

from ray._private.runtime_env.plugin import RuntimeEnvPlugin

from rayfile.client import cache_dir, connect
from rayfile.errors import InvalidArgumentError
from rayfile.handle import RayFile
from rayfile.serve import _remove_tree

__all__ = ["RayFilePlugin", "URI_PREFIX"]

URI_PREFIX = "rayfile://"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ID = re.compile(r"^(sha256:[0-9a-f]{64}|task:[0-9a-f]+)$")
_CACHE_SIZE_VAR = "RAY_RUNTIME_ENV_RAYFILE_CACHE_SIZE_GB"


class _Install:
    def __init__(self, handle: RayFile, root: Path, path: Path, size: int) -> None:
        self.handle, self.root, self.path, self.size = handle, root, path, size


class RayFilePlugin(RuntimeEnvPlugin):
    """``runtime_env={"rayfile": {"ENV_VAR": "sha256:..."}}``: the content, materialized on the worker's node,
    with ``ENV_VAR`` set to its path. See the module docstring for registration."""

    name = "rayfile"

    def __init__(self) -> None:
        # Ray builds this plugin's URI cache right after constructing it, from this variable (default 10 GB).
        os.environ.setdefault(_CACHE_SIZE_VAR, "0")
        self._installs: dict[str, _Install] = {}
        self._lock = threading.Lock()
        self._root = cache_dir() / "runtime_env" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    @staticmethod
    def validate(runtime_env_dict: dict) -> None:
        """Checks the ``rayfile`` field: a mapping of environment variable names to content ids."""
        _entries(runtime_env_dict)

    def get_uris(self, runtime_env: Any) -> list[str]:
        """One URI per distinct content id: installs are shared by every worker on the node that names it."""
        return sorted({URI_PREFIX + content_id for content_id in _entries(runtime_env).values()})

    async def create(self, uri: str | None, runtime_env: Any, context: Any, logger: logging.Logger) -> float:
        """Borrow (pin) the content on this node's daemon and materialize it; returns its size in bytes."""
        if uri is None:
            return 0
        return await asyncio.get_running_loop().run_in_executor(None, self._install, uri, logger)

    def modify_context(self, uris: list[str], runtime_env: Any, context: Any, logger: logging.Logger) -> None:
        """Sets each ``ENV_VAR`` of the worker to its content's local path."""
        for var, content_id in _entries(runtime_env).items():
            with self._lock:
                install = self._installs.get(URI_PREFIX + content_id)
            if install is None:  # Ray calls create() for every URI first; keep a clear error if it ever does not
                raise RuntimeError(f"rayfile: {content_id} was not installed on this node before the worker started")
            context.env_vars[var] = str(install.path)

    def delete_uri(self, uri: str, logger: logging.Logger) -> float:
        """No worker uses the content any more: unpin it and remove its materialization."""
        with self._lock:
            install = self._installs.pop(uri, None)
        if install is None:
            return 0
        install.handle.close()
        _remove_tree(install.root)
        logger.info("rayfile: released %s (%d bytes)", uri, install.size)
        return float(install.size)

    def _install(self, uri: str, logger: logging.Logger) -> float:
        content_id = uri[len(URI_PREFIX):]
        with self._lock:
            existing = self._installs.get(uri)
        if existing is not None:
            return float(existing.size)
        client = connect()
        handle = client.borrow(content_id)
        root = self._root / f"{content_id.replace(':', '-')}-{uuid.uuid4().hex[:8]}"
        try:
            path = handle.get(root / "content")
            size = handle.info.size if handle.info is not None else 0
        except BaseException:
            handle.close()
            _remove_tree(root)
            raise
        with self._lock:
            self._installs[uri] = _Install(handle, root, path, size)
        logger.info("rayfile: %s materialized at %s (%d bytes)", content_id, path, size)
        return float(size)


def _entries(runtime_env: Any) -> dict[str, str]:
    value = runtime_env.get("rayfile") if hasattr(runtime_env, "get") else None
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise InvalidArgumentError(
            f'runtime_env["rayfile"] must be a non-empty mapping of environment variable names to content ids, '
            f'like {{"MODEL_DIR": "sha256:<64 hex>"}}; got {value!r}')
    for var, content_id in value.items():
        if not isinstance(var, str) or not _ENV_NAME.match(var):
            raise InvalidArgumentError(f'runtime_env["rayfile"]: {var!r} is not a valid environment variable name')
        if not isinstance(content_id, str) or not _ID.match(content_id):
            raise InvalidArgumentError(
                f'runtime_env["rayfile"][{var!r}]: {content_id!r} is not a content id (sha256:<64 hex>)')
    return dict(value)
