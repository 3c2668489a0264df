"""The fuzzer's command line (``python -m fuzz``, ``nox -s fuzz -- …``)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from fuzz.generate import Options, generate_arguments, generate_program
from fuzz.runner import Settings, fuzz


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run: ``run`` (the default), ``show SEED``, or ``reduce FINDING.json``."""
    parser = argparse.ArgumentParser(prog="python -m fuzz", description="pyexec's differential fuzzer")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "show", "reduce"])
    parser.add_argument("target", nargs="?", help="show: a seed; reduce: a finding's .json file")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 1_000_000 * 1000,
                        help="the first program's seed (programs are seed, seed+1, …)")
    parser.add_argument("--minutes", type=float, help="stop after this many minutes")
    parser.add_argument("--programs", type=int, help="stop after this many programs")
    parser.add_argument("--workers", type=int, default=2, help="child processes (default 2)")
    parser.add_argument("--backends", default="aot,wasm,node,jit",
                        help="comma-separated: aot, wasm (wasmtime), node (the JS glue in Node), jit")
    parser.add_argument("--calls", type=int, default=8, help="argument sets per program")
    parser.add_argument("--jit-every", type=int, default=4, help="run the jit on every N-th program (0: never)")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds before a call is a hang")
    parser.add_argument("--include-known", action="store_true",
                        help="also generate the shapes of issue 12's known bugs (weak floats, uint64 >= 2**63)")
    parser.add_argument("--kinds", default="scalar,tuple,array,array",
                        help="programs to write, by seed in turn: scalar, tuple, array (default: half arrays)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"), help="where findings are written")
    parser.add_argument("--tests", type=Path, help="reduce: where to write the regression test")
    parser.add_argument("--findings-dir", type=Path, help="reduce: also write the reduced program here")
    args = parser.parse_args(argv)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = sorted(set(kinds) - {"scalar", "tuple", "array"})
    if unknown or not kinds:
        parser.error(f"--kinds takes scalar, tuple and array (comma-separated), not {', '.join(unknown) or 'nothing'}")
    options = Options(include_known=args.include_known, kinds=kinds)

    if args.command == "show":
        seed = int(args.target)
        program = generate_program(seed, options)
        print(program.source())
        print("# arguments:", generate_arguments(program, seed, args.calls))
        return 0
    if args.command == "reduce":
        from fuzz.reduce import reduce_finding

        finding = json.loads(Path(args.target).read_text())
        result = reduce_finding(finding, options, tests_dir=args.tests or args.out,
                                findings_dir=args.findings_dir)
        print(result)
        return 0
    if args.minutes is None and args.programs is None:
        args.programs = 50
    settings = Settings(backends=args.backends.split(","), calls_per_program=args.calls, jit_every=args.jit_every,
                        call_timeout=args.call_timeout, options=options)
    print(f"pyexec fuzz: seed {args.seed}, {args.workers} workers, backends {args.backends}, "
          + (f"{args.minutes:g} minutes" if args.minutes else f"{args.programs} programs"), flush=True)
    started = time.monotonic()
    stats = fuzz(args.seed, minutes=args.minutes, programs=args.programs, workers=args.workers, settings=settings,
                 out_dir=args.out)
    print(f"\nfinished in {(time.monotonic() - started) / 60:.1f} min (seed {args.seed})")
    print(stats.summary())
    print("findings by shape (count, backend, shape, an example):")
    print(stats.shapes())
    bad = [f for f in stats.findings if f.config[0] in ("aot", "wasm")]
    return 1 if bad else 0
