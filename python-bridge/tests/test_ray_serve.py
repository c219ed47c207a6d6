"""Real Ray + Ray Serve (from PyPI) against a real node daemon: models uploaded from the Java CLI, served by
2 replicas, switched by reconfigure and by redeploying a runtime_env; handles borrowed by tasks and Serve calls."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

import rayfile
from harness import java_cli, make_model, wait_for

ray = pytest.importorskip("ray")
serve = pytest.importorskip("ray.serve")


def ask(base: str, route: str, x: float) -> dict:
    response = requests.get(f"{base}{route}", params={"x": x}, timeout=30)
    response.raise_for_status()
    return response.json()


def answers(base: str, route: str, n: int = 12) -> list[dict]:
    return [ask(base, route, x) for x in range(n)]


def pin_count(client: rayfile.Client, content_id: str) -> int:
    return client.stat(content_id).pin_count


def test_helper_deployment_loads_and_reconfigures(ray_serve: str, client: rayfile.Client, node,
                                                  tmp_path: Path) -> None:
    import serve_apps

    first = java_cli(node, "put", str(make_model(tmp_path, "helper-v1", 3, 1)))["id"]
    second = java_cli(node, "put", str(make_model(tmp_path, "helper-v2", 5, -2)))["id"]
    assert pin_count(client, first) == 0 and pin_count(client, second) == 0

    started = time.monotonic()
    serve.run(serve_apps.HelperModel.options(user_config={"model_id": first}).bind(), name="helper",
              route_prefix="/helper")
    deployed = time.monotonic() - started
    got = answers(ray_serve, "/helper")
    assert {a["model"] for a in got} == {"helper-v1"}
    assert [a["y"] for a in got] == [3 * x + 1 for x in range(12)]
    assert all(a["shards"] == ["shard-0.bin", "shard-1.bin"] for a in got)
    assert pin_count(client, first) == 2  # each of the 2 replicas borrowed it on this node
    old_paths = {a["path"] for a in got}

    started = time.monotonic()
    serve.run(serve_apps.HelperModel.options(user_config={"model_id": second}).bind(), name="helper",
              route_prefix="/helper")
    wait_for(lambda: {a["model"] for a in answers(ray_serve, "/helper", 4)} == {"helper-v2"}, 60,
             "every replica to answer with the second model")
    switched = time.monotonic() - started
    got = answers(ray_serve, "/helper")
    assert [a["y"] for a in got] == [5 * x - 2 for x in range(12)]
    assert len({a["pid"] for a in got} | {a["pid"] for a in answers(ray_serve, "/helper", 20)}) <= 2
    wait_for(lambda: pin_count(client, first) == 0, 30, "the first version's pins to be released")
    assert pin_count(client, second) == 2
    assert not any(os.path.exists(p) for p in old_paths)  # the old materializations are gone too

    serve.delete("helper")
    wait_for(lambda: pin_count(client, second) == 0, 60, "replicas to release the model when shut down")
    print(f"helper: deploy {deployed:.1f}s, reconfigure {switched:.1f}s")


def test_runtime_env_plugin_deployment(ray_serve: str, client: rayfile.Client, node, tmp_path: Path) -> None:
    import serve_apps

    first = java_cli(node, "put", str(make_model(tmp_path, "env-v1", 2, 10)))["id"]
    second = java_cli(node, "put", str(make_model(tmp_path, "env-v2", 4, 0)))["id"]

    def deploy(content_id: str) -> None:
        app = serve_apps.EnvModel.options(
            ray_actor_options={"num_cpus": 0, "runtime_env": {"rayfile": {"MODEL_DIR": content_id}}}).bind()
        serve.run(app, name="env", route_prefix="/env")

    started = time.monotonic()
    deploy(first)
    deployed = time.monotonic() - started
    got = answers(ray_serve, "/env")
    assert {a["model"] for a in got} == {"env-v1"}
    assert [a["y"] for a in got] == [2 * x + 10 for x in range(12)]
    assert len({a["path"] for a in got}) == 1  # one install on the node, shared by both replicas
    assert pin_count(client, first) == 1  # held by the node's runtime-env agent while replicas use it

    started = time.monotonic()
    deploy(second)
    wait_for(lambda: {a["model"] for a in answers(ray_serve, "/env", 4)} == {"env-v2"}, 90,
             "the redeployed replicas to answer with the second model")
    switched = time.monotonic() - started
    assert [a["y"] for a in answers(ray_serve, "/env")] == [4 * x for x in range(12)]
    assert pin_count(client, second) == 1
    wait_for(lambda: pin_count(client, first) == 0, 90, "the first model's install to be released")

    serve.delete("env")
    wait_for(lambda: pin_count(client, second) == 0, 90, "the second model's install to be released")
    print(f"runtime_env: deploy {deployed:.1f}s, redeploy {switched:.1f}s")


def test_handle_pickled_into_a_task_is_a_borrow(ray_serve: str, client: rayfile.Client, node,
                                               tmp_path: Path) -> None:
    import serve_apps

    src = tmp_path / "task-input.txt"
    src.write_text("read by a Ray task")
    handle = rayfile.put(src)
    assert pin_count(client, handle.id) == 1
    out = ray.get(serve_apps.read_in_task.remote(handle), timeout=120)
    assert out == {"text": "read by a Ray task", "pins_during_task": 2, "pinned": True, "node": node.api}
    wait_for(lambda: pin_count(client, handle.id) == 1, 30, "the task's borrow to be released")

    refused = java_cli(node, "rm", handle.id, check=False)  # still held by its creator: not deletable
    assert refused["_exit"] == 1 and refused["error"]["code"] == "PINNED"
    handle.close()
    assert pin_count(client, handle.id) == 0  # freed: evictable cache now
    assert java_cli(node, "rm", handle.id)["_exit"] == 0
    with pytest.raises(rayfile.NotFoundError):
        rayfile.stat(handle.id)


def test_handle_passed_in_a_serve_call_is_a_borrow(ray_serve: str, client: rayfile.Client,
                                                   tmp_path: Path) -> None:
    import serve_apps

    src = tmp_path / "serve-input.txt"
    src.write_text("read by a Serve replica")
    app = serve.run(serve_apps.Reader.bind(), name="reader", route_prefix=None)
    try:
        with rayfile.put(src) as handle:
            out = app.read.remote(handle).result(timeout_s=120)
            assert out == {"text": "read by a Serve replica", "pins_during_call": 2, "pinned": True}
            wait_for(lambda: pin_count(client, handle.id) == 1, 30, "the replica's borrow to be released")
        assert pin_count(client, handle.id) == 0
    finally:
        serve.delete("reader")
