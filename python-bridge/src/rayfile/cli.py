"""``rayfile-py``: put / get / stat from Python-only hosts, mirroring the Java ``rayfile`` command.

Named ``rayfile-py`` so it never shadows the Java ``rayfile`` launcher on a PATH. Same conventions: ``--node``
(default ``$RAYFILE_ADDRESS``, ``$RAYFILE_NODE``, then ``127.0.0.1:7070``), ``--json`` prints exactly one JSON object,
errors print ``rayfile-py: CODE: message`` on stderr (and ``{"error": {...}}`` with ``--json``) and exit 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import sys
from typing import Any, Sequence

from rayfile.client import Client
from rayfile.content import ContentInfo
from rayfile.errors import RayFileError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rayfile-py", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--node", metavar="HOST:PORT",
                        help="node daemon's local API (default: $RAYFILE_ADDRESS, $RAYFILE_NODE or 127.0.0.1:7070)")
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    common.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="deadline of the transfer (default 3600)")
    sub = parser.add_subparsers(dest="command", required=True)

    put = sub.add_parser("put", parents=[common], help="import a file or directory; prints its sha256: id")
    put.add_argument("path")
    put.add_argument("--move", action="store_true",
                     help="link the file into the store instead of copying (do not modify it afterwards)")
    put.add_argument("--pin", action="store_true", help="leave the content pinned (until `rayfile unpin ID`)")

    get = sub.add_parser("get", parents=[common], help="materialize a content at a local path")
    get.add_argument("id")
    get.add_argument("-o", "--output", required=True, help="destination (must not exist)")
    get.add_argument("--writable", action="store_true", help="a private writable copy instead of hard links")

    stat = sub.add_parser("stat", parents=[common], help="describe a content on the node")
    stat.add_argument("id")
    stat.add_argument("--verify", action="store_true", help="re-read every piece; exit 4 when damaged")
    return parser


def _jsonable(info: ContentInfo) -> dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.value
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    return convert(dataclasses.asdict(info))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``rayfile-py``; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        with Client(args.node) as client:
            if args.command == "put":
                handle = client.put(args.path, move=args.move, timeout=args.timeout)
                info = handle.info or client.stat(handle)
                # The handle's own pin is the --pin; without --pin the content is left as it was (evictable).
                handle.detach() if args.pin else handle.close()
                out = {"id": handle.id, "kind": info.kind.value, "size": info.size, "pinned": args.pin}
                print(json.dumps(out) if args.json else handle.id)
            elif args.command == "get":
                path = client.get(args.id, args.output, writable=args.writable, timeout=args.timeout)
                print(json.dumps({"id": args.id, "path": str(path)}) if args.json else path)
            else:
                info = client.stat(args.id, verify=args.verify)
                if args.json:
                    print(json.dumps(_jsonable(info)))
                else:
                    for key, value in _jsonable(info).items():
                        if value is not None:
                            print(f"{key}: {value}")
                if info.verify is not None and not info.verify.ok:
                    return 4
        return 0
    except RayFileError as e:
        print(f"rayfile-py: {e.code.value}: {e.message}", file=sys.stderr)
        if args.json:
            print(json.dumps({"error": {"code": e.code.value, "message": e.message}}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
