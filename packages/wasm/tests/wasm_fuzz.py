"""Fuzz the Python wasm loader with mutated modules: every outcome is an exception, never a crash.

Mutated ``.wasm`` files (bit flips, byte insertions and deletions, section-level changes, truncation,
mutated ``pyexec`` signature sections) are loaded and their exports called with valid arguments in child
processes, many mutations per child. A mutation is a pure function of (seed, index), so the parent only
tells a child which indexes to run; the child writes the index it is at to a progress file before each
one, and a child killed by a signal names the offending input, which is saved for replay.

Run (the test suite runs a few hundred; ``PYEXEC_WASM_FUZZ=N`` makes the suite run N)::

    python packages/wasm/tests/wasm_fuzz.py --count 100000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

BASE_SOURCES = {
    "arith": '''
from pyexec.types import int8, uint16, uint64, float32

def div(a: int, b: int) -> int:
    return a // b

def mod(a: int, b: int) -> int:
    return a % b

def narrow(a: int8, b: uint16) -> int8:
    return a * int8(b)

def wide(a: uint64) -> uint64:
    return a * uint64(7) + uint64(1)

def half(x: float32) -> float32:
    return x / float32(2.0)

def both(a: bool, b: bool) -> bool:
    return a and not b
''',
    "loops": '''
import math

def fact(n: int) -> int:
    if n <= 1:
        return 1
    return n * fact(n - 1)

def total(n: int) -> int:
    s: int = 0
    for i in range(n):
        s += i * i
    return s

def show(x: int, y: float) -> None:
    print("x =", x, "y =", y, round(y, 2), x > 0)

def wave(x: float) -> float:
    return math.sin(x) + math.pow(x, 2.0) + math.fmod(x, 3.0)

def check(x: int) -> int:
    assert x > 0, "x must be positive"
    return x
''',
}

ALLOWED = {"WasmLoadError", "WasmTrap", "RecursionError", "ZeroDivisionError", "OverflowError", "ValueError",
           "AssertionError", "RuntimeError", "KeyboardInterrupt", "MemoryError"}
"""What a mutated module may raise: the loader's documented errors and the exceptions compiled code raises
(KeyboardInterrupt is the child's watchdog stopping a call that runs too long)."""

CALL_LIMIT = 0.5
"""Seconds a call may run before the child's watchdog stops it with Ctrl-C."""


def base_modules() -> dict[str, bytes]:
    """The unmutated modules (built once per process)."""
    from pyexec.backends.wasm import compile_ir_module
    from pyexec.frontend import analyze_source

    return {name: compile_ir_module(analyze_source(src, f"{name}.py"), optimize=optimize).wasm
            for name, src in BASE_SOURCES.items() for optimize in (0, 2)}


# --- mutations ---------------------------------------------------------------------------------------

def _sections(data: bytes) -> list[tuple[int, bytes]]:
    """(id, full encoded section) pairs of a well-formed module."""
    from pyexec.backends.wasm.wasm_binary import decode_uleb

    out, pos = [], 8
    while pos < len(data):
        start = pos
        sid = data[pos]
        size, pos = decode_uleb(data, pos + 1)
        pos += size
        out.append((sid, data[start:pos]))
    return out


def _leb(n: int) -> bytes:
    from pyexec.backends.wasm.wasm_binary import encode_uleb

    return encode_uleb(n)


def _mutate_signatures(rng: random.Random, data: bytes) -> bytes:
    from pyexec.backends.wasm.signature import SECTION_NAME
    from pyexec.backends.wasm.wasm_binary import SECTION_CUSTOM, read_sections, section

    sections = read_sections(data)
    payload = next(s.payload for s in sections if s.id == SECTION_CUSTOM and s.name == SECTION_NAME)
    text = bytearray(payload)
    choice = rng.randrange(7)
    types = [b"int", b"int8", b"uint8", b"int16", b"uint32", b"int64", b"uint64", b"float32", b"float64", b"bool",
             b"None", b"complex", b"str", b"", b"int32"]
    if choice == 0:   # a type name replaced by another
        for old in types:
            if old and old in text:
                text = bytearray(bytes(text).replace(old, rng.choice(types), 1))
                break
    elif choice == 1:  # random bytes changed
        for _ in range(rng.randint(1, 4)):
            if text:
                text[rng.randrange(len(text))] = rng.randrange(256)
    elif choice == 2:  # lines dropped, repeated or shuffled
        lines = bytes(text).split(b"\n")
        op = rng.randrange(3)
        if op == 0 and lines:
            lines.pop(rng.randrange(len(lines)))
        elif op == 1 and lines:
            lines.append(rng.choice(lines))
        else:
            rng.shuffle(lines)
        text = bytearray(b"\n".join(lines))
    elif choice == 3:  # a parameter added or removed
        blob = bytes(text)
        text = bytearray(blob.replace(b"(", b"(z:int,", 1) if rng.random() < 0.5 else blob.replace(b",", b"", 1))
    elif choice == 4:  # fallibility flipped
        blob = bytes(text)
        text = bytearray(blob.replace(b"!", b"", 1) if b"!" in blob and rng.random() < 0.5
                         else blob.replace(b"\n", b"!\n", 1))
    elif choice == 5:  # names changed to other exports' names or junk
        blob = bytes(text)
        text = bytearray(blob.replace(blob[:3], rng.choice([b"memory", b"error.code", b"__proto__", b"x", b"\xff"]), 1))
    else:              # truncated
        text = text[: rng.randrange(len(text) + 1)]
    kept = b"".join(section(s.id, s.payload, name=s.name) if s.id == SECTION_CUSTOM else section(s.id, s.payload)
                    for s in sections if not (s.id == SECTION_CUSTOM and s.name == SECTION_NAME))
    return data[:8] + kept + section(SECTION_CUSTOM, bytes(text), name=SECTION_NAME)


def mutate(base: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One mutation of ``base``: its kind and the bytes (section-aware kinds need a well-formed ``base``)."""
    try:
        return _mutate(base, rng)
    except (ValueError, IndexError, StopIteration):  # base was already broken by a previous mutation
        data = bytearray(base)
        data[rng.randrange(8, len(data))] ^= 1 << rng.randrange(8)
        return "bitflip", bytes(data)


def _mutate(base: bytes, rng: random.Random) -> tuple[str, bytes]:
    data = bytearray(base)
    kind = rng.choice(["bitflip", "bitflip", "bytes", "insert", "delete", "section", "section", "truncate",
                       "signature", "signature", "leb"])
    if kind == "bitflip":
        for _ in range(rng.choice([1, 1, 2, 4, 8])):
            i = rng.randrange(8, len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind == "bytes":
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(8, len(data))] = rng.choice([0, 0x7F, 0x80, 0xFF, rng.randrange(256)])
    elif kind == "insert":
        i = rng.randrange(8, len(data) + 1)
        data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif kind == "delete":
        i = rng.randrange(8, len(data))
        del data[i:i + rng.randint(1, 8)]
    elif kind == "truncate":
        data = data[: rng.randrange(len(data))]
    elif kind == "signature":
        return kind, _mutate_signatures(rng, bytes(base))
    elif kind == "leb":  # a section size rewritten
        sections = _sections(bytes(base))
        k = rng.randrange(len(sections))
        sid, blob = sections[k]
        from pyexec.backends.wasm.wasm_binary import decode_uleb

        size, body_start = decode_uleb(blob, 1)
        new_size = max(0, size + rng.choice([-2, -1, 1, 2, 1000, -size]))
        sections[k] = (sid, bytes([sid]) + _leb(new_size) + blob[body_start:])
        data = bytearray(bytes(base[:8]) + b"".join(b for _, b in sections))
    else:  # section: drop, duplicate, swap, change id, or scramble a payload
        sections = _sections(bytes(base))
        op = rng.randrange(5)
        k = rng.randrange(len(sections))
        if op == 0:
            sections.pop(k)
        elif op == 1:
            sections.insert(k, sections[rng.randrange(len(sections))])
        elif op == 2:
            j = rng.randrange(len(sections))
            sections[k], sections[j] = sections[j], sections[k]
        elif op == 3:
            sid, blob = sections[k]
            sections[k] = (sid, bytes([rng.randrange(14)]) + blob[1:])
        else:
            sid, blob = sections[k]
            body = bytearray(blob)
            for _ in range(rng.randint(1, 6)):
                if len(body) > 2:
                    body[rng.randrange(2, len(body))] = rng.randrange(256)
            sections[k] = (sid, bytes(body))
        data = bytearray(bytes(base[:8]) + b"".join(b for _, b in sections))
    return kind, bytes(data)


def case(seed: int, index: int, bases: dict[str, bytes]) -> tuple[str, bytes]:
    """Mutation ``index`` of run ``seed``: a description and the bytes."""
    rng = random.Random(f"{seed}:{index}")
    name = rng.choice(sorted(bases))
    kind, data = mutate(bases[name], rng)
    for _ in range(rng.choice([0, 0, 0, 1])):  # sometimes two mutations stacked
        kind2, data = mutate(data, rng) if len(data) > 16 else (kind, data)
        kind += "+" + kind2
    return f"{name}/{kind}", data


# --- the child: load and call -------------------------------------------------------------------------

def _arguments(type_name: str) -> list[object]:
    from pyexec.backends.wasm.signature import scalar_info

    info = scalar_info(type_name)
    if info.is_bool:
        return [True, False]
    if info.is_float:
        return [0.0, -1.5, 7.25, float("inf"), float("nan")]
    return [0, 1, -1 if info.signed else 2, 30, info.min_value, info.max_value]


def run_cases(seed: int, start: int, stop: int, progress: Path) -> Counter[str]:
    """Run mutations ``start``..``stop`` in this process; return outcome counts; raise on a disallowed one."""
    import io

    from pyexec.backends.wasm import WasmLoadError, load

    bases = base_modules()
    outcomes: Counter[str] = Counter()
    watch = {"since": None}
    main = threading.main_thread().ident

    def watchdog() -> None:
        while True:
            time.sleep(0.05)
            since = watch["since"]
            if since is not None and time.monotonic() - since > CALL_LIMIT:
                watch["since"] = None
                signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=watchdog, daemon=True).start()
    real_stdout = sys.stdout
    for index in range(start, stop):
        progress.write_text(str(index))
        label, data = case(seed, index, bases)
        sys.stdout = io.StringIO()
        try:
            try:
                module = load(data, start_timeout=CALL_LIMIT)
            except WasmLoadError:
                outcomes["refused"] += 1
                continue
            outcomes["loaded"] += 1
            rng = random.Random(index)
            for function in module.functions.values():
                choices = [_arguments(p.type) for p in function.signature.params]
                for _ in range(3):
                    args = [rng.choice(c) for c in choices]
                    watch["since"] = time.monotonic()
                    try:
                        function(*args)
                        outcomes["returned"] += 1
                    except BaseException as exc:
                        name = type(exc).__name__
                        if name not in ALLOWED:
                            raise RuntimeError(f"case {index} ({label}): {function.__name__}{tuple(args)} raised "
                                               f"{name}: {exc}") from exc
                        outcomes[name] += 1
                    finally:
                        watch["since"] = None
        finally:
            sys.stdout = real_stdout
    return outcomes


def _child_main(seed: int, start: int, stop: int, progress: str) -> None:
    # A child of a background process may start with SIGINT ignored; the watchdog needs Python's handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    outcomes = run_cases(seed, start, stop, Path(progress))
    print(json.dumps(outcomes))


# --- the parent: batches in child processes -----------------------------------------------------------

def fuzz(count: int, *, seed: int = 0, batch: int = 500, jobs: int = 1, crash_dir: Path | None = None,
         log: bool = False) -> dict[str, object]:
    """Run ``count`` mutations in child processes; return totals and the crashing inputs (saved to crash_dir)."""
    totals: Counter[str] = Counter()
    crashes: list[dict[str, object]] = []
    failures: list[str] = []
    pending = [(s, min(s + batch, count)) for s in range(0, count, batch)]
    lock = threading.Lock()
    started = time.monotonic()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                start, stop = pending.pop(0)
            with tempfile.NamedTemporaryFile(suffix=".progress", delete=False) as handle:
                progress = Path(handle.name)
            try:
                done = subprocess.run([sys.executable, __file__, "--child", str(seed), str(start), str(stop),
                                       str(progress)], capture_output=True, text=True)
                at = int(progress.read_text() or start) if progress.exists() else start
            finally:
                progress.unlink(missing_ok=True)
            with lock:
                if done.returncode == 0:
                    totals.update(json.loads(done.stdout.strip().splitlines()[-1]))
                    totals["cases"] += stop - start
                    if log:
                        print(f"{totals['cases']}/{count} cases, {len(crashes)} crashes, "
                              f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
                    continue
                if done.returncode < 0:  # killed by a signal: the case it was at crashed
                    label, data = case(seed, at, base_modules())
                    record = {"index": at, "case": label, "signal": -done.returncode,
                              "stderr": done.stderr[-2000:]}
                    if crash_dir is not None:
                        crash_dir.mkdir(parents=True, exist_ok=True)
                        path = crash_dir / f"crash-{seed}-{at}.wasm"
                        path.write_bytes(data)
                        record["file"] = str(path)
                    crashes.append(record)
                else:
                    failures.append(done.stderr[-3000:])
                totals["cases"] += at + 1 - start
                if at + 1 < stop:
                    pending.append((at + 1, stop))

    threads = [threading.Thread(target=worker) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"totals": dict(totals), "crashes": crashes, "failures": failures,
            "seconds": round(time.monotonic() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--crash-dir", type=Path, default=Path("wasm-fuzz-crashes"))
    args = parser.parse_args(argv)
    result = fuzz(args.count, seed=args.seed, batch=args.batch, jobs=args.jobs, crash_dir=args.crash_dir, log=True)
    print(json.dumps(result, indent=2))
    totals = result["totals"]
    print(f"{totals.get('cases', 0)} mutated files, {len(result['crashes'])} crashes, "  # type: ignore[union-attr]
          f"{len(result['failures'])} failing batches, {result['seconds']} s")
    return 0 if not result["crashes"] and not result["failures"] else 1


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        _child_main(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())
