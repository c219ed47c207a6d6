"""Hostile input: unknown ids, bad ids, wrong addresses, a daemon that goes away. Clear errors, never a hang."""

from __future__ import annotations

import gc
import http.server
import logging
import os
import pickle
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

import rayfile
from conftest import free_port

UNKNOWN = "sha256:" + "ab" * 32


def test_unknown_id(client: rayfile.Client, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(rayfile.NotFoundError, match="does not hold it"):
        rayfile.stat(UNKNOWN)
    with pytest.raises(rayfile.NotFoundError, match=UNKNOWN):
        rayfile.get(UNKNOWN, tmp_path / "never")
    with pytest.raises(rayfile.NotFoundError):
        rayfile.borrow(UNKNOWN)
    assert not (tmp_path / "never").exists()
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("bad", ["nope", "sha256:xyz", "sha256:" + "0" * 63])
def test_malformed_id(client: rayfile.Client, bad: str) -> None:
    with pytest.raises(rayfile.InvalidArgumentError, match="sha256"):
        rayfile.stat(bad)


def test_wrong_argument_types(client: rayfile.Client) -> None:
    with pytest.raises(rayfile.InvalidArgumentError, match="expected a RayFile handle or a content id"):
        rayfile.get(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError too
        rayfile.stat("")


def test_put_missing_path_and_escaping_symlink(client: rayfile.Client, tmp_path: Path) -> None:
    with pytest.raises(rayfile.NotFoundError, match="nothing to import"):
        rayfile.put(tmp_path / "missing")
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "ok").write_text("fine")
    (evil / "link").symlink_to("/etc/passwd")
    with pytest.raises(rayfile.BadManifestError, match="leaves the tree"):
        rayfile.put(evil)


def test_destination_exists(client: rayfile.Client, tmp_path: Path) -> None:
    src = tmp_path / "x"
    src.write_text("x")
    (tmp_path / "taken").write_text("already here")
    with rayfile.put(src) as handle:
        with pytest.raises(rayfile.AlreadyExistsError, match="already exists"):
            handle.get(tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "already here"


@pytest.mark.parametrize("address", ["no-port", "host:99999", "127.0.0.1:", "a b:1"])
def test_malformed_address(address: str) -> None:
    with pytest.raises(rayfile.InvalidArgumentError, match="bad node daemon address"):
        rayfile.connect(address)


def test_nothing_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(rayfile.UnavailableError, match="cannot reach a RayFile node daemon"):
        rayfile.connect(address)
    assert time.monotonic() - started < 3  # refused: at once, not after the connect timeout
    monkeypatch.setenv("RAYFILE_ADDRESS", address)  # the environment variable is honoured the same way
    with pytest.raises(rayfile.UnavailableError, match=address):
        rayfile.Client()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts TCP connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


def test_silent_server_times_out(silent_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(rayfile.UnavailableError, match="no answer within 1s"):
        rayfile.Client(silent_server, connect_timeout=1.0)
    assert time.monotonic() - started < 5


def test_http_server_is_not_a_daemon() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        with pytest.raises(rayfile.UnavailableError):
            rayfile.Client(f"127.0.0.1:{server.server_address[1]}", connect_timeout=3.0)
        assert time.monotonic() - started < 5
    finally:
        server.shutdown()
        server.server_close()


def test_daemon_goes_down(make_node, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    daemon = make_node("doomed")
    doomed = rayfile.connect(daemon.api)
    src = tmp_path / "f"
    src.write_text("soon orphaned")
    handle = doomed.put(src)
    pickled = pickle.dumps(handle)
    daemon.kill()  # SIGKILL
    started = time.monotonic()
    with pytest.raises(rayfile.UnavailableError, match=daemon.api):
        doomed.stat(handle.id)
    with pytest.raises(rayfile.UnavailableError):
        handle.get(tmp_path / "out")
    with pytest.raises(rayfile.UnavailableError):
        pickle.loads(pickled)  # a borrow must pin on this process's node, which is gone
    with caplog.at_level(logging.WARNING, logger="rayfile"):
        handle.close()  # never raises: logs that the pin stays
        del handle
        gc.collect()
    assert "could not release" in caplog.text
    assert time.monotonic() - started < 15
    doomed.close()


def test_frozen_daemon_calls_end_at_their_deadline(make_node, tmp_path: Path) -> None:
    """A daemon that accepted the connection and then stops answering (SIGSTOP): every call ends at its deadline."""
    daemon = make_node("frozen")
    frozen = rayfile.Client(daemon.api, call_timeout=1.0, transfer_timeout=2.0)
    src = tmp_path / "f"
    src.write_text("frozen")
    handle = frozen.put(src)
    os.kill(daemon.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(rayfile.UnavailableError, match="did not answer within 1s"):
            frozen.stat(handle.id)
        with pytest.raises(rayfile.UnavailableError, match="did not answer within 2s"):
            frozen.get(handle, tmp_path / "out")
        with pytest.raises(rayfile.UnavailableError, match="did not answer within 2s"):
            frozen.put(src)
        assert time.monotonic() - started < 10
    finally:
        os.kill(daemon.process.pid, signal.SIGCONT)
    assert frozen.stat(handle.id).pin_count >= 1  # thawed: the same client works again
    frozen.close()
