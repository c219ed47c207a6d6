"""The one local harness of the Python tests: real node daemons (the Java jar) and the Java CLI, on loopback.

The jar comes from ``$RAYFILE_JAR`` (Maven sets it), else ``<repo>/rayfile-cli/target/rayfile.jar``. Every
process started here dies with the test process (``PR_SET_PDEATHSIG``) even if pytest itself is killed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAEMON_START_TIMEOUT = 60.0


def jar_path() -> Path:
    jar = Path(os.environ.get("RAYFILE_JAR") or REPO / "rayfile-cli" / "target" / "rayfile.jar")
    if not jar.is_file():
        raise RuntimeError(
            f"the RayFile jar is not at {jar}: build it (mvn -B -DskipTests install -pl rayfile-cli -am) or set "
            "RAYFILE_JAR to a built rayfile.jar")
    return jar


@lru_cache(maxsize=1)
def java_flags() -> tuple[str, ...]:
    """The JVM flags of the ``./rayfile`` launcher (Chronicle Map on Java 17+), plus a bounded heap."""
    java = java_bin()
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    flags = [
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true",
        f"-Djna.tmpdir={scratch}/rayfile-jna-{os.getuid()}",
        f"-Dproject.build.directory={scratch}/rayfile-chronicle-{os.getuid()}",
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",  # short-lived test JVMs: start fast rather than peak
    ]
    settings = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True,
                              timeout=60).stderr
    major = next((line.split("=")[1].strip() for line in settings.splitlines()
                  if line.strip().startswith("java.specification.version")), "17")
    if int(major.split(".")[-1] if major.startswith("1.") else major) >= 24:
        flags += ["--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"]
    return tuple(flags)


def java_bin() -> str:
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


@lru_cache(maxsize=1)
def _die_with_parent() -> tuple[str, ...]:
    """A command prefix that SIGKILLs the child when the test process goes away (util-linux ``setpriv``, essential
    on Debian). Not ``preexec_fn``: that forces a plain fork() running Python in the child, where gRPC's fork
    handlers (this process holds gRPC channels) can abort it before exec."""
    setpriv = shutil.which("setpriv")
    if setpriv and subprocess.run([setpriv, "--pdeathsig", "KILL", "true"], capture_output=True).returncode == 0:
        return (setpriv, "--pdeathsig", "KILL", "--")
    return ()


class NodeDaemon:
    """``rayfile node`` on free loopback ports with its own data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.api = ""
        self.log_path = data_dir.parent / f"{data_dir.name}.log"

    def start(self) -> NodeDaemon:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "daemon.json").unlink(missing_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [*_die_with_parent(), java_bin(), *java_flags(), "-jar", str(jar_path()), "node",
             "--data", str(self.data_dir),
             "--api-host", "127.0.0.1", "--api-port", "0", "--data-host", "127.0.0.1", "--data-port", "0",
             "--metrics-port", "-1"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + DAEMON_START_TIMEOUT
        announce = self.data_dir / "daemon.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rayfile node exited with {self.process.returncode}:\n{self.log()}")
            if announce.is_file():
                try:
                    self.api = json.loads(announce.read_text())["api"]
                    return self
                except (ValueError, KeyError):
                    pass  # being written
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"rayfile node did not announce itself within {DAEMON_START_TIMEOUT}s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(15)


def java_cli(daemon: NodeDaemon, *args: str, check: bool = True) -> dict:
    """Runs ``rayfile ARGS --node <daemon> --json`` with the Java CLI and returns its JSON object."""
    proc = subprocess.run([*_die_with_parent(), java_bin(), *java_flags(), "-jar", str(jar_path()), *args,
                           "--node", daemon.api, "--json"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError(f"rayfile {' '.join(args)} printed no JSON (exit {proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}") from None
    if check and proc.returncode != 0:
        raise AssertionError(f"rayfile {' '.join(args)} failed (exit {proc.returncode}): {out}\n{proc.stderr}")
    out["_exit"] = proc.returncode
    return out


def make_model(root: Path, name: str, weight: int, bias: int) -> Path:
    """A small model directory: a config, weights, a nested layer, a duplicated shard and an empty directory."""
    model = root / name
    (model / "layers").mkdir(parents=True)
    (model / "config.json").write_text(json.dumps({"name": name}))
    (model / "weights.txt").write_text(f"{weight}\n")
    (model / "layers" / "bias.txt").write_text(f"{bias}\n")
    shard = os.urandom(64 * 1024)
    (model / "layers" / "shard-0.bin").write_bytes(shard)
    (model / "layers" / "shard-1.bin").write_bytes(shard)
    (model / "empty").mkdir()
    return model


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    """Polls ``predicate`` until it returns a truthy value; fails with ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
