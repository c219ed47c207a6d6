"""Deployments and tasks the Ray tests run (pickled by value into Ray's workers by the ``ray_serve`` fixture)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ray
from ray import serve

import rayfile
from rayfile.serve import ModelSlot


def load_model(path: Path) -> dict:
    """A "model" read from the files of a model directory: y = weight * x + bias."""
    return {
        "name": json.loads((path / "config.json").read_text())["name"],
        "weight": int((path / "weights.txt").read_text()),
        "bias": int((path / "layers" / "bias.txt").read_text()),
        "shards": sorted(p.name for p in (path / "layers").glob("shard-*")),
    }


def answer(model: dict, x: float, path: Path, content_id: str) -> dict:
    return {"model": model["name"], "y": model["weight"] * x + model["bias"], "id": content_id, "path": str(path),
            "pid": os.getpid(), "shards": model["shards"]}


@serve.deployment(num_replicas=2, ray_actor_options={"num_cpus": 0}, max_ongoing_requests=8)
class HelperModel:
    """Resolves its model on the replica's node in __init__/reconfigure through rayfile.serve.ModelSlot."""

    def __init__(self) -> None:
        self.model = ModelSlot(load=load_model)

    def reconfigure(self, user_config: dict) -> None:
        self.model.reconfigure(user_config)

    async def __call__(self, request) -> dict:
        x = float(request.query_params.get("x", "1"))
        with self.model.use() as version:
            # Read a file of the current version inside the request too, proving it is still there.
            assert (version.path / "weights.txt").read_text().strip() == str(version.value["weight"])
            return answer(version.value, x, version.path, version.id)

    def __del__(self) -> None:
        self.model.close()


@serve.deployment(num_replicas=2, ray_actor_options={"num_cpus": 0}, max_ongoing_requests=8)
class EnvModel:
    """Reads its model from $MODEL_DIR, which the rayfile runtime_env plugin set before the process started."""

    def __init__(self) -> None:
        self.path = Path(os.environ["MODEL_DIR"])
        self.model = load_model(self.path)

    async def __call__(self, request) -> dict:
        x = float(request.query_params.get("x", "1"))
        return answer(self.model, x, self.path, "")


@serve.deployment(num_replicas=1, ray_actor_options={"num_cpus": 0})
class Reader:
    """Receives a RayFile handle in a Serve call (a borrow) and reads it."""

    def read(self, handle: rayfile.RayFile) -> dict:
        pins = rayfile.stat(handle).pin_count
        return {"text": handle.get().read_text(), "pins_during_call": pins, "pinned": handle.pinned}


@ray.remote(num_cpus=0)
def read_in_task(handle: rayfile.RayFile) -> dict:
    """A task that receives a handle (a borrow on this worker's node), reads it and drops it."""
    pins = rayfile.stat(handle).pin_count
    return {"text": handle.get().read_text(), "pins_during_task": pins, "pinned": handle.pinned,
            "node": handle.address}
