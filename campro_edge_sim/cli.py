"""`campro-edge-sim`: start, stop and disturb simulated boards."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from campro_edge.cli import dispatch
from campro_edge_sim import control, faults
from campro_edge_sim.spec import DEFAULT_NAME, BoardPaths, SimSpec

EPILOG = """\
examples:
  campro-edge-sim up                         # board "sim" on 127.0.0.1:2222 (the default target)
  campro-edge-sim up --name b2 --port 2223 --rw-root
  campro-edge-sim fault disk-full            # fill /userdata
  campro-edge-sim fault drop --after-bytes 40000
  campro-edge-sim fault power-cut
  campro-edge-sim scene photo.jpg            # what the camera looks at
  campro-edge-sim down --all
"""


def _paths(args: argparse.Namespace) -> BoardPaths:
    paths = BoardPaths(args.name)
    if not paths.spec_file.exists():
        raise control.SimError(
            f"no simulated board named {args.name!r} (start it with `campro-edge-sim up`)"
        )
    return paths


def cmd_up(args: argparse.Namespace) -> int:
    spec = SimSpec(
        name=args.name,
        board=args.board,
        port=args.port,
        rw_root=args.rw_root,
        arch=args.arch,
        compatible=args.compatible or None,
        userdata_kib=args.userdata_kib,
    )
    paths = control.up(spec, fresh=args.fresh)
    print(
        f"simulated board {spec.name!r} ({spec.board}) up: ssh root@127.0.0.1 -p {spec.port} "
        f"(password rockchip); files in {paths.dir}"
    )
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    targets = control.boards() if args.all else [_paths(args)]
    for p in targets:
        if control.down(p):
            print(f"simulated board {p.name!r} stopped")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    rows = [control.status(p) for p in control.boards()]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no simulated boards")
    for r in rows if not args.json else []:
        print(
            f"{r['name']:10} {r['state']:9} port {r['port']:<5} boots {r['boot_count']:<3} "
            f"{'rw' if r['rw_root'] else 'ro'}-root  {r['iq_file']}  faults {r['faults']}"
        )
    return 0


def cmd_fault(args: argparse.Namespace) -> int:
    p = _paths(args)
    c = p.control
    kind = args.kind
    if kind == "disk-full":
        n = control.fill_storage(p, args.part, leave_bytes=args.leave)
        print(f"/{args.part} filled ({n} bytes written)")
    elif kind == "disk-free":
        control.free_storage(p, args.part)
    elif kind == "drop":
        faults.write_link(
            c,
            faults.read_link(c).model_copy(
                update={"drop_after_bytes": args.after_bytes, "drop_connections": args.count}
            ),
        )
    elif kind == "slow":
        faults.write_link(
            c,
            faults.read_link(c).model_copy(
                update={"rate_bytes_per_s": args.rate, "latency_ms": args.latency_ms}
            ),
        )
    elif kind == "refuse":
        faults.write_link(c, faults.read_link(c).model_copy(update={"refuse": True}))
    elif kind == "rkaiq-fail":
        faults.set_rkaiq_fail_starts(c, args.count)
    elif kind == "power-loss":
        faults.set_power_loss(c, args.after_commands, args.delay)
    elif kind == "power-cut":
        control.power_cycle(p)
    elif kind == "hostkey-change":
        control.change_host_key(p)
    elif kind == "clear":
        faults.clear_all(c)
        control.free_storage(p, "userdata")
        control.free_storage(p, "oem")
    print(f"{p.name}: fault {kind} applied")
    return 0


def cmd_scene(args: argparse.Namespace) -> int:
    p = _paths(args)
    control.set_scene(p, None if args.image == "default" else Path(args.image), args.illuminant)
    print(f"{p.name}: scene set to {args.image}")
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    r = control.board_shell(_paths(args), " ".join(args.command))
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r.returncode


def cmd_demo(args: argparse.Namespace) -> int:
    from campro_edge_sim.demo import run_demo  # noqa: PLC0415

    return run_demo(
        Path(args.params), Path(args.out), name=args.name, port=args.port, keep=args.keep
    )


def cmd_console(args: argparse.Namespace) -> int:
    from campro_edge_sim.console import serve_console  # noqa: PLC0415

    return serve_console(_paths(args), link=Path(args.link) if args.link else None)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="campro-edge-sim",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")

    def add(
        name: str, fn: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--name", default=DEFAULT_NAME, help="simulated board name (default: sim)")
        p.set_defaults(_run=fn)
        return p

    p = add("up", cmd_up, "build (first time) and boot a simulated board")
    p.add_argument("--board", default="sim-rv1126", help="board description to follow")
    p.add_argument("--port", type=int, default=2222, help="SSH port on 127.0.0.1 (default 2222)")
    p.add_argument("--rw-root", action="store_true", help="writable root filesystem")
    p.add_argument("--arch", help="override `uname -m` (make a board of the wrong kind)")
    p.add_argument("--compatible", action="append", help="override the DT compatible list")
    p.add_argument("--userdata-kib", type=int, default=8192, help="size of /userdata")
    p.add_argument("--fresh", action="store_true", help="discard stored state and rebuild")
    p = add("down", cmd_down, "power off a simulated board (storage is kept)")
    p.add_argument("--all", action="store_true")
    p = add("status", cmd_status, "list simulated boards")
    p.add_argument("--json", action="store_true")
    p = add("fault", cmd_fault, "inject a fault (host side)")
    p.add_argument(
        "kind",
        choices=[
            "disk-full",
            "disk-free",
            "drop",
            "slow",
            "refuse",
            "rkaiq-fail",
            "power-loss",
            "power-cut",
            "hostkey-change",
            "clear",
        ],
    )
    p.add_argument("--part", default="userdata", choices=["userdata", "oem"])
    p.add_argument("--leave", type=int, default=0, help="disk-full: bytes left free")
    p.add_argument("--after-bytes", type=int, default=40000, help="drop: bytes before the cut")
    p.add_argument(
        "--count", type=int, default=1, help="drop/rkaiq-fail: how many times (-1 always)"
    )
    p.add_argument("--rate", type=int, default=20000, help="slow: bytes per second")
    p.add_argument("--latency-ms", type=int, default=20, help="slow: latency per chunk")
    p.add_argument("--after-commands", type=int, default=1, help="power-loss: at the Nth command")
    p.add_argument("--delay", type=float, default=0.0, help="power-loss: seconds into that command")
    p = add("scene", cmd_scene, "set what the camera looks at")
    p.add_argument("image", help="image file, or 'default'")
    p.add_argument("--illuminant", help="light of the scene: A, TL84, D50, D65")
    p = add("shell", cmd_shell, "run a command on the board's console (no SSH)")
    p.add_argument("command", nargs=argparse.REMAINDER)
    p = add("console", cmd_console, "serve the board's serial console on a pseudo-terminal")
    p.add_argument("--link", help="also create this symlink to the pty")
    p = add("demo", cmd_demo, "main job: sim board up, push examples/isp.json, before/after frames")
    p.add_argument("--params", default="examples/isp.json")
    p.add_argument("--out", default="out")
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--keep", action="store_true", help="leave the board running")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
