"""Fixtures: one node daemon for the session, extra ones on demand, and a small local Ray + Serve on loopback."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

import rayfile
from harness import NodeDaemon, jar_path

_started: list[NodeDaemon] = []


@pytest.fixture(scope="session")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeDaemon]:
    """The session's node daemon (real Java process, loopback ports)."""
    jar_path()  # a clear failure when the jar is missing
    daemon = NodeDaemon(tmp_path_factory.mktemp("node") / "data").start()
    _started.append(daemon)
    yield daemon
    daemon.stop()


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator:
    """Starts extra daemons for one test; all are killed afterwards."""
    mine: list[NodeDaemon] = []

    def start(name: str = "extra") -> NodeDaemon:
        daemon = NodeDaemon(tmp_path / f"{name}-{len(mine)}" / "data").start()
        mine.append(daemon)
        _started.append(daemon)
        return daemon

    yield start
    for daemon in mine:
        daemon.kill()


@pytest.fixture
def client(node: NodeDaemon) -> rayfile.Client:
    """The session daemon's client, made this process's default for every test."""
    return rayfile.connect(node.api)


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYFILE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "rayfile-cache"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ray_serve(node: NodeDaemon, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A one-node Ray (2 CPUs, no dashboard, 100 MB object store) with Serve on a free loopback port and the
    rayfile runtime_env plugin registered; yields Serve's HTTP base URL. Workers reach the node daemon through
    $RAYFILE_ADDRESS, inherited from this process."""
    import ray
    from ray import serve

    import serve_apps

    os.environ["RAYFILE_ADDRESS"] = node.api
    os.environ["RAYFILE_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "rayfile-cache")
    os.environ["RAY_RUNTIME_ENV_PLUGINS"] = json.dumps([{"class": "rayfile.runtime_env.RayFilePlugin"}])
    # Ray's own processes, loopback and small: this machine has 2 cores shared with other work.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.cloudpickle.register_pickle_by_value(serve_apps)
    # Ray's GCS must bind within this long (default 30 s): a loaded 2-core CI machine once missed it.
    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", "90")
    started = time.monotonic()
    for attempt in (1, 2):  # one retry with a fresh session: a GCS that died at startup is not our failure
        temp_dir = tempfile.mkdtemp(prefix="rf-ray-")  # short: Ray's socket paths must stay under 108 bytes
        try:
            ray.init(num_cpus=2, include_dashboard=False, object_store_memory=100 * 1024 * 1024,
                     _node_ip_address="127.0.0.1", _temp_dir=temp_dir, log_to_driver=False,
                     configure_logging=False)
            break
        except RuntimeError as e:
            ray.shutdown()
            logs = pathlib.Path(temp_dir) / "session_latest" / "logs"
            gcs_err = sorted(logs.glob("**/gcs_server*.err"))
            print(f"ray.init failed (attempt {attempt}): {e}; gcs stderr: "
                  f"{gcs_err[-1].read_text()[-2000:] if gcs_err else 'none'}")
            shutil.rmtree(temp_dir, ignore_errors=True)
            if attempt == 2:
                raise
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    print(f"ray + serve up in {time.monotonic() - started:.1f}s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        try:
            serve.shutdown()
        finally:
            ray.shutdown()
            if not os.environ.get("RAYFILE_KEEP_RAY_LOGS"):
                shutil.rmtree(temp_dir, ignore_errors=True)
            for var in ("RAYFILE_ADDRESS", "RAY_RUNTIME_ENV_PLUGINS"):
                os.environ.pop(var, None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for daemon in _started:  # also on failures and interrupts: no JVM outlives the run
        daemon.kill()
