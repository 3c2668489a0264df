"""The differential run: generated programs, a pool of worker processes, verdicts and findings.

Each worker (``fuzz.worker``) takes one program at a time: the oracle's outcomes in both overflow modes, then
every backend configuration (compile, then each call). The parent reads the worker's events with a deadline:
no answer to a call within ``call_timeout`` is a *hang*, a worker that dies is a *crash* (its signal is
recorded); either way the worker is restarted and the program continues with the next configuration.

Verdicts per call and backend: ``agree``, ``mismatch``, ``crash``, ``hang``, ``rejected`` (the frontend or
Numba refused the program), ``compiler-error`` (an internal exception while compiling), ``skipped`` (the
oracle has no defined answer: out-of-range float casts, CPython timeouts), and for the jit ``documented``
(it differs from CPython as docs/backends/jit.md says: ``int`` wraps).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz.generate import Options, generate_arguments, generate_program, program_kind
from fuzz.program import Program

ROOT = Path(__file__).resolve().parent.parent
COMPARED_EXCEPTIONS = {"ZeroDivisionError", "OverflowError", "ValueError", "AssertionError", "RecursionError",
                       "IndexError"}


def configs_for(index: int, backends: list[str], jit_every: int, node_every: int = 4) -> list[list[Any]]:
    """The backend configurations a program is run with: aot at every -O in both overflow modes, wasm at one
    -O (rotating with the program) in both modes, the same wasm in Node (checked ints) for every
    ``node_every``-th program, and the jit for every ``jit_every``-th program."""
    out: list[list[Any]] = []
    if "aot" in backends:
        out += [["aot", opt, mode] for opt in range(4) for mode in ("check", "wrap")]
    if "wasm" in backends:
        out += [["wasm", index % 4, mode] for mode in ("check", "wrap")]
    if "node" in backends and node_every > 0 and index % node_every == 1:
        out.append(["node", index % 4, "check"])
    if "jit" in backends and jit_every > 0 and index % jit_every == 0:
        out.append(["jit", 0, "check"])
    return out


def family(config: list[Any]) -> str:
    return str(config[0])


def config_name(config: list[Any]) -> str:
    backend, opt, mode = config
    return "jit" if backend == "jit" else f"{backend} -O{opt} {mode}"


def compared(outcome: list[Any]) -> list[Any]:
    """What is compared of an outcome: kind, value (or exception type), stdout, and the caller's arrays after
    the call (``[kind, value, stdout, detail, arrays]``; the detail, an exception's message, is not)."""
    return [*outcome[:3], *outcome[4:5]]


def verdict(expected: list[Any], actual: list[Any], config: list[Any], wrap_expected: list[Any] | None,
            loose: bool = False) -> str:
    """Compare one call's outcome with the oracle's; ``loose`` compares floats with a tight relative tolerance
    (``fuzz.oracle.close``: NumPy's pairwise sums, BLAS and SIMD ufuncs against compiled code's documented
    order)."""
    from fuzz.oracle import close

    if expected[0] in ("undefined", "timeout"):
        return "skipped"
    if expected[0] == "raise" and expected[1] not in COMPARED_EXCEPTIONS:
        return "oracle-error"  # CPython raised TypeError & co: the generator wrote something outside the subset
    if actual[0] == "rejected" or (actual[0] == "raise" and actual[1] == "JitCompileError"):
        return "rejected"  # Numba, or aot for parameters typed from the call, compiles on the first call
    if compared(expected) == compared(actual) or (loose and close(compared(expected), compared(actual))):
        return "agree"
    if config[0] == "jit" and wrap_expected is not None and compared(wrap_expected) == compared(actual):
        return "documented"
    return "mismatch"


@dataclass
class Finding:
    """One disagreement, enough to replay it: the program's seed, the configuration and the call's arguments."""

    seed: int
    config: list[Any]
    verdict: str
    args: list[Any]
    expected: Any
    actual: Any
    source: str

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


def shape(f: Finding) -> str:
    """A finding's kind of disagreement, to group many findings into few: ``"return int -> raise ValueError
    (negative shift count)"``, ``"same result, stdout differs"``, ``"crash (exit status -11)"`` …"""
    if f.verdict in ("crash", "hang", "generator-error"):
        return f"{f.verdict} ({f.actual})"
    if f.verdict in ("rejected", "compiler-error"):
        text = str(f.actual[3] if isinstance(f.actual, list) else f.actual)
        return f"{f.verdict}: " + text.split("error:")[-1].strip().split("\n")[0][:90]
    e, a = f.expected, f.actual

    def one(o: list[Any]) -> str:
        return f"{o[0]} {o[1] if o[0] == 'raise' else o[1][0]}"

    if e[:2] == a[:2]:
        return "same result, stdout differs"
    detail = f" ({a[3][:50]})" if len(a) > 3 and a[3] else ""
    return f"{one(e)} -> {one(a)}{detail}"


@dataclass
class Stats:
    programs: int = 0
    calls: int = 0
    verdicts: dict[str, Counter[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fam: str, v: str, n: int = 1) -> None:
        with self.lock:
            self.verdicts.setdefault(fam, Counter())[v] += n
            if v not in ("rejected", "compiler-error"):
                self.calls += n

    def summary(self) -> str:
        lines = [f"programs {self.programs}, calls {self.calls}"]
        for fam in sorted(self.verdicts):
            c = self.verdicts[fam]
            lines.append(f"  {fam:5} " + ", ".join(f"{k} {c[k]}" for k in sorted(c)))
        lines.append(f"findings {len(self.findings)}")
        return "\n".join(lines)

    def shapes(self) -> str:
        """The findings grouped by backend and shape, most frequent first, with one example each."""
        groups: dict[tuple[str, str], list[Finding]] = {}
        for f in self.findings:
            groups.setdefault((family(f.config), shape(f)), []).append(f)
        lines = []
        for (fam, sh), fs in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
            ex = fs[0]
            lines.append(f"  {len(fs):6} {fam:5} {sh}   e.g. seed {ex.seed} {config_name(ex.config)} args {ex.args}")
        return "\n".join(lines)


class Worker:
    """One ``python -m fuzz.worker`` child and its event stream."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = b""
        self.tasks = 0

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        # FUZZ_WORKER_STDERR=path keeps the workers' stderr (faulthandler's traceback of a crash) for debugging.
        with open(os.environ.get("FUZZ_WORKER_STDERR", os.devnull), "ab") as stderr:
            self.proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "fuzz.worker"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env)
        self.buffer = b""
        self.tasks = 0
        ev = self.read(120)
        if ev is None or ev.get("ev") != "ready":
            raise RuntimeError(f"the fuzz worker did not start: {ev}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def send(self, task: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.tasks += 1
        self.proc.stdin.write((json.dumps(task) + "\n").encode())
        self.proc.stdin.flush()

    def read(self, timeout: float) -> dict[str, Any] | None:
        """The next event; ``None`` on timeout; ``{"ev": "exit", "code": rc}`` when the process died."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return {"ev": "exit", "code": self.proc.wait()}
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


@dataclass
class Settings:
    backends: list[str] = field(default_factory=lambda: ["aot", "wasm", "node", "jit"])
    calls_per_program: int = 8
    jit_every: int = 4
    call_timeout: float = 10.0
    compile_timeout: float = 120.0
    oracle_timeout: float = 2.0
    restart_every: int = 100
    options: Options = field(default_factory=Options)


def make_task(seed: int, settings: Settings, configs: list[list[Any]], program: Program | None = None,
              args: list[list[Any]] | None = None) -> tuple[dict[str, Any], Program]:
    """The worker's task for the program of ``seed`` (or the ``program`` given, as the reducer does)."""
    program = program or generate_program(seed, settings.options)
    args = args if args is not None else generate_arguments(program, seed, settings.calls_per_program)
    task = {"source": program.source(), "annotated_source": program.source(annotate_all=True),
            "bare": bool(program.entry.bare), "loose": program.loose,
            "oracle": program.oracle_source(), "entry": program.entry.name,
            "annotations": [t for _, t in program.entry.params], "args": args,
            "oracle_modes": sorted({c[2] for c in configs}), "oracle_timeout": settings.oracle_timeout,
            "configs": list(enumerate(configs))}
    return task, program


def run_program(worker: Worker, seed: int, configs: list[list[Any]], settings: Settings,
                stats: Stats | None = None, program: Program | None = None,
                args: list[list[Any]] | None = None, agreed: list[Any] | None = None) -> list[Finding]:
    """Run one program through every configuration (restarting the worker after a crash or hang).

    ``agreed``, when given, collects the calls that agreed (as findings with the verdict ``agree``)."""
    task, _ = make_task(seed, settings, configs, program, args)
    args = task["args"]
    oracle: dict[str, list[Any]] = {}
    findings: list[Finding] = []
    pending = list(task["configs"])

    def record(i: int, v: str, k: int | None, actual: Any) -> None:
        config = configs[i]
        if stats is not None:
            stats.add(family(config), v, len(args) if k is None and v in ("rejected", "compiler-error") else 1)
        if agreed is not None and v not in ("mismatch", "crash", "hang", "rejected", "compiler-error"):
            agreed.append(v)
        if v in ("mismatch", "crash", "hang", "rejected", "compiler-error") and (k is not None or v != "hang"):
            expected = oracle.get(config[2], [None] * len(args))[k] if k is not None else None
            findings.append(Finding(seed, config, v, args[k] if k is not None else [], expected, actual,
                                    task["source"]))

    while pending:
        if worker.proc is None or worker.tasks >= settings.restart_every:
            worker.stop()
            worker.start()
        task["configs"] = pending
        task["oracle_modes"] = sorted({configs[i][2] for i, _ in pending} | ({"wrap"} if any(
            configs[i][0] == "jit" for i, _ in pending) else set()))
        worker.send(task)
        current: tuple[int, int | None] | None = None
        while True:
            timeout = settings.compile_timeout if current is None or current[1] is None else settings.call_timeout
            ev = worker.read(timeout if current is not None else settings.compile_timeout + 60)
            if ev is None or ev["ev"] == "exit":
                worker.stop()
                if current is None:  # died or stuck in the oracle: not a backend's fault
                    pending = []
                    break
                i, k = current
                what = "hang" if ev is None else "crash"
                detail = "timeout" if ev is None else f"exit status {ev['code']}"
                if k is None:
                    record(i, "compiler-error" if what == "crash" else "hang", None,
                           f"{what} while compiling: {detail}")
                else:
                    record(i, what, k, detail)
                pending = [p for p in pending if p[0] > i]
                break
            kind = ev["ev"]
            if kind == "oracle":
                oracle[ev["mode"]] = ev["outcomes"]
            elif kind == "compile":
                current = (ev["cfg"], None)
            elif kind in ("rejected", "compiler-error"):
                record(ev["cfg"], kind, None, ev["error"])
                current = None
            elif kind == "call":
                current = (ev["cfg"], ev["k"])
            elif kind == "result":
                i, k = ev["cfg"], ev["k"]
                config = configs[i]
                expected = oracle[config[2]][k]
                wrap = oracle.get("wrap", [None] * len(args))[k]
                v = verdict(expected, ev["outcome"], config, wrap, task["loose"])
                record(i, v, k, ev["outcome"])
            elif kind == "done":
                pending = []
                break
    return findings


def fuzz(seed: int, *, minutes: float | None = None, programs: int | None = None, workers: int = 2,
         settings: Settings | None = None, out_dir: Path | None = None, progress: bool = True) -> Stats:
    """Run programs ``seed``, ``seed + 1``, … for ``minutes`` or until ``programs`` have run."""
    settings = settings or Settings()
    stats = Stats()
    next_index = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + minutes * 60 if minutes else None
    seen: set[tuple[str, str, str]] = set()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)

    def take() -> int | None:
        with lock:
            if deadline is not None and time.monotonic() > deadline:
                return None
            if programs is not None and next_index[0] >= programs:
                return None
            i = next_index[0]
            next_index[0] += 1
            return i

    def loop() -> None:
        # The jit runs in its own worker: a process that has run Numba's jit and then pyexec's aot can crash
        # (a finding of its own), and each backend's results must not depend on what ran before it.
        workers = {"native": Worker(), "jit": Worker()}
        try:
            while (i := take()) is not None:
                configs = configs_for(i, settings.backends, settings.jit_every)
                if program_kind(seed + i, settings.options) != "scalar":
                    configs = [c for c in configs if c[0] != "node"]  # the Node runner passes scalars only
                try:
                    found = []
                    for name, group in (("native", [c for c in configs if c[0] != "jit"]),
                                        ("jit", [c for c in configs if c[0] == "jit"])):
                        if group:
                            found += run_program(workers[name], seed + i, group, settings, stats)
                except Exception as exc:  # a generator bug must not end the run
                    stats.add("fuzz", "generator-error")
                    found = [Finding(seed + i, ["fuzz", 0, "check"], "generator-error", [], None, repr(exc), "")]
                with stats.lock:
                    stats.programs += 1
                    stats.findings += found
                for f in found:
                    key = (family(f.config), f.verdict, str(f.seed))
                    if out_dir is not None and key not in seen:
                        seen.add(key)
                        name = f"{f.verdict}-{f.seed}-{config_name(f.config).replace(' ', '')}.json"
                        (out_dir / name).write_text(json.dumps(f.to_json(), indent=1))
        finally:
            for w in workers.values():
                w.stop()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    last = time.monotonic()
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=1.0)
        if progress and time.monotonic() - last > 30:
            last = time.monotonic()
            print(stats.summary(), flush=True)
    return stats
