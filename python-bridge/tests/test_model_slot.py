"""ModelSlot and the runtime_env plugin object against a real daemon, without Ray processes (fast, exact)."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import rayfile
from harness import java_cli, make_model
from rayfile.serve import ModelSlot


@pytest.fixture
def two_models(node, tmp_path: Path) -> tuple[str, str]:
    first = java_cli(node, "put", str(make_model(tmp_path, "slot-a", 2, 1)))["id"]
    second = java_cli(node, "put", str(make_model(tmp_path, "slot-b", 5, 0)))["id"]
    return first, second


def weight(path: Path) -> int:
    return int((path / "weights.txt").read_text())


def test_switch_swaps_and_releases_the_old_version(client: rayfile.Client, two_models, tmp_path: Path) -> None:
    first, second = two_models
    slot = ModelSlot(first, load=weight, root=tmp_path / "slot")
    assert slot.value == 2 and slot.id == first and client.stat(first).pin_count == 1
    old_path = slot.path
    assert slot.switch(first).path == old_path  # same id: nothing happens
    assert client.stat(first).pin_count == 1
    version = slot.reconfigure({"model_id": second})
    assert version.value == 5 and slot.id == second
    assert client.stat(first).pin_count == 0 and client.stat(second).pin_count == 1
    assert not old_path.exists()
    slot.close()
    slot.close()
    assert client.stat(second).pin_count == 0 and not (tmp_path / "slot").exists()


def test_requests_in_flight_keep_the_old_version(client: rayfile.Client, two_models, tmp_path: Path) -> None:
    first, second = two_models
    slot = ModelSlot(first, load=weight, root=tmp_path / "slot")
    with slot.use() as old:
        slot.switch(second)
        assert slot.value == 5  # new requests see the new version at once
        assert old.path.exists() and weight(old.path) == 2  # this one still reads the old files
        assert client.stat(first).pin_count == 1
    assert client.stat(first).pin_count == 0 and not old.path.exists()  # released when it finished
    slot.close()


def test_failed_switch_keeps_the_current_version(client: rayfile.Client, two_models, tmp_path: Path) -> None:
    first, second = two_models
    slot = ModelSlot(first, load=weight, root=tmp_path / "slot")
    with pytest.raises(rayfile.NotFoundError):
        slot.switch("sha256:" + "cd" * 32)
    with pytest.raises(rayfile.InvalidArgumentError, match="model_id"):
        slot.reconfigure({"model": first})

    def broken_loader(path: Path) -> int:
        raise ValueError("cannot parse this model")

    bad = ModelSlot(first, root=tmp_path / "bad")
    bad._load = broken_loader
    assert client.stat(first).pin_count == 2
    with pytest.raises(ValueError, match="cannot parse"):
        bad.switch(second)
    assert bad.id == first and client.stat(second).pin_count == 0  # the half-made version was released
    assert slot.value == 2 and client.stat(first).pin_count == 2
    bad.close()
    slot.close()
    assert client.stat(first).pin_count == 0


def test_concurrent_readers_during_switches(client: rayfile.Client, two_models, tmp_path: Path) -> None:
    first, second = two_models
    slot = ModelSlot(first, load=weight, root=tmp_path / "slot")
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                with slot.use() as version:
                    assert weight(version.path) == version.value
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
                return

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(6):
        asyncio.run(slot.switch_async(second if i % 2 == 0 else first))
    stop.set()
    for t in threads:
        t.join(10)
    assert not errors
    slot.close()
    assert client.stat(first).pin_count == 0 and client.stat(second).pin_count == 0


def test_runtime_env_plugin_object(client: rayfile.Client, node, two_models, monkeypatch, tmp_path: Path) -> None:
    """The plugin's own contract (Ray calls these in its runtime-env agent; the Serve test runs it for real)."""
    pytest.importorskip("ray")
    from rayfile.runtime_env import RayFilePlugin

    first, second = two_models
    monkeypatch.setenv("RAYFILE_ADDRESS", node.api)
    monkeypatch.delenv("RAY_RUNTIME_ENV_RAYFILE_CACHE_SIZE_GB", raising=False)
    plugin = RayFilePlugin()
    import os

    assert os.environ["RAY_RUNTIME_ENV_RAYFILE_CACHE_SIZE_GB"] == "0"
    env = {"rayfile": {"MODEL_DIR": first, "OTHER": first, "NEXT": second}}
    plugin.validate(env)
    uris = plugin.get_uris(env)
    assert uris == sorted({f"rayfile://{first}", f"rayfile://{second}"})
    log = logging.getLogger("test")
    sizes = [asyncio.run(plugin.create(uri, env, SimpleNamespace(env_vars={}), log)) for uri in uris]
    assert all(size > 0 for size in sizes)
    context = SimpleNamespace(env_vars={})
    plugin.modify_context(uris, env, context, log)
    assert weight(Path(context.env_vars["MODEL_DIR"])) == 2 and context.env_vars["OTHER"] == context.env_vars[
        "MODEL_DIR"]
    assert weight(Path(context.env_vars["NEXT"])) == 5
    assert client.stat(first).pin_count == 1  # one install per node, however many variables name it
    assert plugin.delete_uri(f"rayfile://{first}", log) > 0
    assert client.stat(first).pin_count == 0 and not Path(context.env_vars["MODEL_DIR"]).exists()
    plugin.delete_uri(f"rayfile://{second}", log)
    assert client.stat(second).pin_count == 0
    for bad in ({"rayfile": {"MODEL_DIR": "not-an-id"}}, {"rayfile": {"1BAD": first}}, {"rayfile": []}):
        with pytest.raises(ValueError):
            plugin.validate(bad)
