"""put / get / stat / borrow and the handle's pin accounting, against a real node daemon."""

from __future__ import annotations

import copy
import filecmp
import gc
import hashlib
import os
import pickle
import re
import stat
from pathlib import Path

import pytest

import rayfile
from harness import REPO, java_cli, make_model


def pins(client: rayfile.Client, content_id: str) -> int:
    return client.stat(content_id).pin_count


def test_put_file_get_back_read_only_hard_link(client: rayfile.Client, tmp_path: Path) -> None:
    src = tmp_path / "blob.bin"
    data = os.urandom(300_000)
    src.write_bytes(data)
    with rayfile.put(src) as handle:
        assert handle.id == "sha256:" + hashlib.sha256(data).hexdigest()
        assert handle.kind is rayfile.ContentKind.FILE
        assert handle.info.length == len(data) and handle.info.complete
        out = rayfile.get(handle, tmp_path / "out" / "blob.bin")
        assert out.read_bytes() == data
        assert not os.stat(out).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # shares bytes: read-only
        copy_path = rayfile.get(handle, tmp_path / "copy.bin", writable=True)
        copy_path.write_bytes(b"mine")  # a private copy: changing it leaves the store alone
        assert rayfile.stat(handle, verify=True).verify.ok


def test_directory_round_trip_and_default_destination_is_reused(client: rayfile.Client, tmp_path: Path) -> None:
    model = make_model(tmp_path, "dir-model", 3, 4)
    with rayfile.put(model) as handle:
        assert handle.kind is rayfile.ContentKind.DIRECTORY
        info = rayfile.stat(handle)
        assert info.entry_count == 7 and info.tree_bytes == sum(
            p.stat().st_size for p in model.rglob("*") if p.is_file())
        first = rayfile.get(handle)
        assert first.parent == rayfile.cache_dir() / "objects"
        cmp = filecmp.dircmp(model, first)
        assert not cmp.diff_files and not cmp.left_only and not cmp.right_only
        assert (first / "empty").is_dir()
        assert (first / "layers" / "shard-0.bin").read_bytes() == (model / "layers" / "shard-1.bin").read_bytes()
        assert rayfile.get(handle.id) == first  # content-addressed: already materialized, reused


def test_pin_counting_close_is_exactly_once(client: rayfile.Client, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_text("counted")
    a = rayfile.put(src)
    b = rayfile.put(src)  # same content, second handle, second pin
    assert a.id == b.id and pins(client, a.id) == 2
    a.close()
    a.close()  # idempotent: the second close must not take b's pin
    assert a.closed and not a.pinned
    assert pins(client, a.id) == 1
    with b:
        pass
    assert pins(client, a.id) == 0
    assert client.unpin(a.id).pin_count == 0  # never below zero


def test_garbage_collected_handle_is_released(client: rayfile.Client, tmp_path: Path) -> None:
    src = tmp_path / "gc"
    src.write_text("forgotten")
    handle = rayfile.put(src)
    content_id = handle.id
    assert pins(client, content_id) == 1
    del handle
    gc.collect()
    assert pins(client, content_id) == 0


def test_pickle_and_copy_are_borrows(client: rayfile.Client, tmp_path: Path) -> None:
    src = tmp_path / "p"
    src.write_text("borrowed")
    with rayfile.put(src) as handle:
        clone = pickle.loads(pickle.dumps(handle))
        assert clone == handle and clone is not handle and clone.pinned
        assert pins(client, handle.id) == 2
        other = copy.copy(handle)
        assert pins(client, handle.id) == 3
        clone.close()
        del other
        gc.collect()
        assert pins(client, handle.id) == 1
    assert pins(client, handle.id) == 0
    with pytest.raises(rayfile.InvalidArgumentError, match="closed"):
        pickle.dumps(handle)
    with pytest.raises(rayfile.InvalidArgumentError, match="closed"):
        handle.get()


def test_borrow_content_uploaded_by_java_cli(client: rayfile.Client, node, tmp_path: Path) -> None:
    model = make_model(tmp_path, "java-made", 7, 1)
    uploaded = java_cli(node, "put", str(model))
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", uploaded["id"])
    assert pins(client, uploaded["id"]) == 0
    with rayfile.borrow(uploaded["id"]) as handle:
        assert pins(client, handle.id) == 1
        assert (handle.get() / "weights.txt").read_text() == "7\n"
        with rayfile.put(model) as same:  # Python computes the same content id as Java
            assert same.id == uploaded["id"]
    assert pins(client, uploaded["id"]) == 0


def test_detach_leaves_the_pin(client: rayfile.Client, tmp_path: Path) -> None:
    src = tmp_path / "kept"
    src.write_text("outlives the handle")
    handle = rayfile.put(src)
    assert handle.detach() == handle.id
    del handle
    gc.collect()
    content_id = "sha256:" + hashlib.sha256(b"outlives the handle").hexdigest()
    assert pins(client, content_id) == 1
    client.unpin(content_id)


def test_client_close_releases_open_handles(node, tmp_path: Path) -> None:
    src = tmp_path / "c"
    src.write_text("closing client")
    own = rayfile.Client(node.api)
    handle = own.put(src)
    watcher = rayfile.Client(node.api)
    assert watcher.stat(handle.id).pin_count == 1
    own.close()
    assert handle.closed and watcher.stat(handle.id).pin_count == 0
    with pytest.raises(rayfile.UnavailableError, match="closed"):
        own.stat(handle.id)
    watcher.close()


def test_stubs_match_the_proto_file() -> None:
    """The generated stubs come from proto/ at build time: every rpc of node_api.proto is there."""
    from rayfile._proto.v1 import node_api_pb2

    text = (REPO / "proto" / "rayfile" / "v1" / "node_api.proto").read_text()
    declared = set(re.findall(r"^\s*rpc\s+(\w+)\s*\(", text, re.MULTILINE))
    service = node_api_pb2.DESCRIPTOR.services_by_name["NodeApi"]
    assert service.full_name == "rayfile.v1.NodeApi"
    assert {m.name for m in service.methods} == declared


def test_errors_keep_their_type_across_pickling() -> None:
    err = pickle.loads(pickle.dumps(rayfile.NotFoundError("gone")))
    assert isinstance(err, rayfile.NotFoundError) and isinstance(err, LookupError)
    assert err.code is rayfile.ErrorCode.NOT_FOUND and str(err) == "NOT_FOUND: gone"
    from rayfile.errors import error_for

    assert isinstance(error_for("BAD_MANIFEST", "x"), rayfile.InvalidArgumentError)
    unknown = error_for("SOMETHING_NEW", "from a newer daemon")
    assert isinstance(unknown, rayfile.InternalError) and "SOMETHING_NEW" in unknown.message
