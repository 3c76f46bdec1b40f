"""Command line of the lab: ``python -m lab serve|start|stop|status``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from lab import control, personalities, releases
from lab.estate import EstateFileError
from lab.server import LabError, serve
from lab.state import CREDENTIALS_FILE, LabInfo


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lab", description="SSH device simulator for an estate")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve in the foreground"), ("start", "serve in the background")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--estate", type=Path, default=control.DEFAULT_ESTATE)
        cmd.add_argument("--state-dir", type=Path, default=control.DEFAULT_STATE_DIR)
        cmd.add_argument("--inventory-out", type=Path, default=None, help="default: <state-dir>/inventory")
        cmd.add_argument("--base-port", type=int, default=None, help="consecutive ports in estate order")
        cmd.add_argument("--max-runtime", type=float, default=None, help="exit after this many seconds")
        cmd.add_argument(
            "--plugin",
            action="append",
            default=[],
            metavar="MODULE",
            help="import MODULE first (it registers a personality); repeatable",
        )
        cmd.add_argument(
            "--matrices", type=Path, default=None, help=f"release facts from here (default {releases.DEFAULT_MATRICES})"
        )
        cmd.add_argument("-v", "--verbose", action="store_true")
    for name in ("stop", "status"):
        sub.add_parser(name).add_argument("--state-dir", type=Path, default=control.DEFAULT_STATE_DIR)
    return parser


def _describe(info: LabInfo) -> str:
    return (
        f"lab pid {info.pid}: {len(info.devices)} devices on 127.0.0.1, inventory {info.inventory}; "
        f"credentials: source {info.state_dir / CREDENTIALS_FILE}"
    )


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        out = args.inventory_out or args.state_dir / "inventory"
        personalities.import_plugins(args.plugin)
        if args.matrices is not None:
            releases.use_matrices(args.matrices)
        asyncio.run(serve(args.estate, args.state_dir, out, args.base_port, args.max_runtime))
        return 0
    if args.command == "start":
        info = control.start(
            args.estate,
            args.state_dir,
            args.inventory_out,
            args.base_port,
            args.max_runtime,
            plugins=tuple(args.plugin),
            matrices=args.matrices,
        )
        print(_describe(info))
        return 0
    if args.command == "stop":
        print("stopped" if control.stop(args.state_dir) else "no lab running")
        return 0
    status = control.status(args.state_dir)
    print(_describe(status) if status else "no lab running")
    return 0 if status else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    try:
        return _run(args)
    except (EstateFileError, LabError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
