"""The ``rayfile-py`` console script (installed by pip) against a real daemon, next to the Java CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import free_port
from harness import java_cli, make_model

SCRIPT = Path(sys.executable).parent / "rayfile-py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    exe = str(SCRIPT) if SCRIPT.exists() else shutil.which("rayfile-py")
    assert exe, "rayfile-py is not installed next to this Python (pip install ./python-bridge)"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_put_stat_get_json(node, tmp_path: Path) -> None:
    model = make_model(tmp_path, "cli-model", 1, 2)
    put = run("put", str(model), "--node", node.api, "--json")
    assert put.returncode == 0, put.stderr
    out = json.loads(put.stdout)
    assert out["kind"] == "directory" and out["pinned"] is False
    assert out["id"] == java_cli(node, "put", str(model))["id"]  # same id as the Java CLI

    stat = json.loads(run("stat", out["id"], "--node", node.api, "--json", "--verify").stdout)
    assert stat["pin_count"] == 0 and stat["kind"] == "directory" and stat["verify"]["ok"] is True

    dest = tmp_path / "fetched"
    got = run("get", out["id"], "-o", str(dest), "--node", node.api)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == str(dest)
    assert (dest / "weights.txt").read_text() == "1\n"


def test_put_pin_leaves_a_pin(node, tmp_path: Path) -> None:
    src = tmp_path / "pinned.txt"
    src.write_text("keep me")
    content_id = run("put", str(src), "--pin", "--node", node.api).stdout.strip()
    assert json.loads(run("stat", content_id, "--node", node.api, "--json").stdout)["pin_count"] == 1
    java_cli(node, "unpin", content_id)
    assert json.loads(run("stat", content_id, "--node", node.api, "--json").stdout)["pin_count"] == 0


@pytest.mark.parametrize("args,code", [
    (["stat", "sha256:" + "ef" * 32], "NOT_FOUND"),
    (["stat", "bogus"], "INVALID_ARGUMENT"),
    (["get", "sha256:" + "ef" * 32, "-o", "/tmp/never-made-by-rayfile-tests"], "NOT_FOUND"),
])
def test_errors_are_codes_and_exit_1(node, args: list[str], code: str) -> None:
    proc = run(*args, "--node", node.api, "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["code"] == code
    assert proc.stderr.startswith(f"rayfile-py: {code}: ")


def test_daemon_not_running(tmp_path: Path) -> None:
    proc = run("stat", "sha256:" + "ef" * 32, "--node", f"127.0.0.1:{free_port()}")
    assert proc.returncode == 1
    assert "rayfile-py: UNAVAILABLE: cannot reach a RayFile node daemon" in proc.stderr
