"""The reducer: shrink a finding's program while its verdict persists, then write it as a regression test.

A finding names a program by its seed, one backend configuration and one call's arguments. The reducer
regenerates the program and tries, greedily and until nothing changes: dropping a callee, deleting a
statement, replacing an ``if``/``for``/``while`` by its body, and replacing an expression by a plain
constant of its type or by one of its operands of the same type. A candidate is kept when the same
configuration still gives the same verdict (``mismatch``, ``crash``, ``hang``, …) on the same arguments,
checked in a worker process like the fuzz run itself, so a crash while reducing is just another answer.

The result is written twice: a pytest file (the call in a child process, compared with CPython's
outcome) and, when asked, a short script for the people fixing the compiler.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fuzz.generate import Options, generate_program
from fuzz.program import (
    Cast,
    Const,
    Expr,
    For,
    If,
    Loop,
    Print,
    Program,
    Return,
    Stmt,
    While,
    is_array_type,
    is_tuple_type,
    kind,
)
from fuzz.runner import Settings, Worker, config_name, run_program

# --- positions in a program ----------------------------------------------------------------------


def statement_lists(program: Program) -> list[list[Stmt]]:
    """Every statement list of the program, in a fixed order (function bodies, then nested bodies)."""
    out: list[list[Stmt]] = []

    def walk(body: list[Stmt]) -> None:
        out.append(body)
        for s in body:
            for b in s.bodies():
                walk(b)

    for f in program.functions:
        walk(f.body)
    return out


def expression_paths(e: Expr, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Expr]]:
    yield path, e
    for i, c in enumerate(e.children()):
        yield from expression_paths(c, (*path, i))


def replace_at(e: Expr, path: tuple[int, ...], new: Expr) -> Expr:
    if not path:
        return new
    return e.replace_child(path[0], replace_at(e.children()[path[0]], path[1:], new))


def plain_constant(e: Expr, value: int) -> Expr:
    """A constant of ``e``'s type: ``0``/``1``, ``0.0``, ``False``, ``int8(0)`` …"""
    pt = e.type
    k = kind(pt)
    raw: object = {"bool": bool(value), "int": value, "float": float(value), "complex": complex(value)}[k]
    if pt in ("bool", "int", "float", "complex"):
        return Const(raw, pt)
    return Cast(pt, Const(raw, {"int": "int", "float": "float", "complex": "complex"}[k]), pt)


def candidates(program: Program) -> Iterator[Program]:
    """Smaller programs, the biggest cuts first."""
    for i in range(1, len(program.functions)):
        p = copy.deepcopy(program)
        del p.functions[i]
        yield p
    n_lists = len(statement_lists(program))
    for li in range(n_lists):
        for si in range(len(statement_lists(program)[li])):
            lst = statement_lists(program)[li]
            if si >= len(lst):
                break
            s = lst[si]
            is_final_return = isinstance(s, Return) and si == len(lst) - 1 and li < len(program.functions)
            if not is_final_return:
                p = copy.deepcopy(program)
                del statement_lists(p)[li][si]
                yield p
            if isinstance(s, Print) and len(s.args) > 1:
                for ai in range(len(s.args)):
                    p = copy.deepcopy(program)
                    target = statement_lists(p)[li]
                    target[si] = Print([a for j, a in enumerate(s.args) if j != ai], s.sep, s.end)
                    yield p
            if isinstance(s, (If, For, While, Loop)):
                for body in s.bodies():
                    p = copy.deepcopy(program)
                    target = statement_lists(p)[li]
                    target[si:si + 1] = copy.deepcopy(body)
                    yield p
    for li in range(n_lists):
        for si in range(len(statement_lists(program)[li])):
            s = statement_lists(program)[li][si]
            for ei, root in enumerate(s.exprs()):
                for path, e in list(expression_paths(root)):
                    replacements: list[Expr] = []
                    if not isinstance(e, Const) and not (isinstance(e, Cast) and isinstance(e.arg, Const)) and \
                            not is_array_type(e.type) and not is_tuple_type(e.type):
                        replacements += [plain_constant(e, 0), plain_constant(e, 1)]
                    replacements += [c for c in e.children() if c.type == e.type and c.py == e.py]
                    for new in replacements:
                        p = copy.deepcopy(program)
                        stmt = statement_lists(p)[li][si]
                        exprs = stmt.exprs()
                        exprs[ei] = replace_at(exprs[ei], path, copy.deepcopy(new))
                        statement_lists(p)[li][si] = stmt.with_exprs(exprs)
                        yield p


def size(program: Program) -> int:
    return len(program.source())


# --- reduction -----------------------------------------------------------------------------------


class Checker:
    """Runs one configuration on one argument list and says whether the verdict is still the finding's."""

    def __init__(self, finding: dict[str, Any], settings: Settings) -> None:
        self.finding = finding
        self.settings = settings
        self.worker = Worker()
        self.checks = 0

    def outcome(self, program: Program) -> Any:
        self.checks += 1
        found = run_program(self.worker, self.finding["seed"], [self.finding["config"]], self.settings,
                            program=program, args=[self.finding["args"]])
        return found[0] if found else None

    def holds(self, program: Program) -> bool:
        f = self.outcome(program)
        if f is None or f.verdict != self.finding["verdict"]:
            return False
        if f.verdict == "mismatch":  # the same kind of disagreement, not any disagreement
            exp, act = self.finding["expected"], self.finding["actual"]
            return f.expected[:2] == exp[:2] and f.actual[:2] == act[:2] if exp[0] == "raise" or act[0] == "raise" \
                else f.expected[0] == exp[0] and f.actual[0] == act[0]
        return True

    def close(self) -> None:
        self.worker.stop()


def reduce_program(program: Program, checker: Checker, max_checks: int = 3000) -> Program:
    """Greedy reduction: take the first smaller candidate that keeps the verdict, until none does."""
    best = program
    changed = True
    while changed and checker.checks < max_checks:
        changed = False
        for cand in candidates(best):
            if checker.checks >= max_checks:
                break
            if size(cand) >= size(best):
                continue
            try:
                cand.source()
            except Exception:  # a candidate that does not even print is not a program
                continue
            if checker.holds(cand):
                best = cand
                changed = True
                break
    return best


TEST_TEMPLATE = '''"""Regression test written by pyexec's fuzzer (fuzz/reduce.py) from seed {seed}, {config_name}.

CPython (with pyexec's NumPy scalars) is the oracle; the call runs in a child process so that a crash
is a test failure. {verdict}: {summary}
"""

import json
import subprocess
import sys
import textwrap

SOURCE = {source!r}
ARGS = json.loads({args_json!r})  # JSON: NaN and infinities, arrays as specs (made in the child)
EXPECTED = {expected!r}  # [kind, value, stdout]: value is the exception's name or [type, value/float bits]
CONFIG = {config!r}

CHILD = textwrap.dedent("""
    import contextlib, importlib.util, io, json, math, sys
    path, backend, opt, overflow = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    args = json.loads(sys.argv[5])
    spec = importlib.util.spec_from_file_location("fuzzcase", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if backend == "aot":
        from pyexec import aot
        func = aot(module.f0, opt=opt, overflow=overflow, cache=False)
    else:
        import pyexec.frontend as fe
        from pyexec.backends.wasm.build import compile_ir_module
        from pyexec.backends.wasm.loader import load
        wasm = compile_ir_module(fe.analyze_functions([module.f0]), optimize=opt, functions=["f0"], overflow=overflow)
        func = load(wasm.wasm).f0
    import numpy as np
    def bits(f):
        return "nan" if math.isnan(f) else float.hex(f) if f != 0 else ("-0" if math.copysign(1, f) < 0 else "0")
    def encode(v):
        if isinstance(v, np.ndarray):
            return ["array", str(v.dtype), list(v.shape), [encode(x) for x in v.ravel().tolist()]]
        if isinstance(v, tuple):
            return ["tuple", [encode(x) for x in v]]
        if isinstance(v, (bool, np.bool_)):
            return ["bool", bool(v)]
        if isinstance(v, (int, np.integer)):
            return ["int", int(v)]
        if isinstance(v, (float, np.floating)):
            return ["float", bits(float(v))]
        return ["other", repr(v)]
    def make(spec):  # an array argument from its spec (fuzz.oracle.make_array)
        if not isinstance(spec, dict):
            return spec
        shape, view = list(spec["shape"]), spec["view"]
        base_shape = list(shape)
        if view == "step":
            base_shape[0] *= 2
        elif view == "T":
            base_shape.reverse()
        base = np.array(spec["data"], dtype=np.bool_ if spec["dtype"] == "bool" else spec["dtype"])
        base = base.reshape(base_shape)
        if view == "rev":
            return base[(slice(None, None, -1),) * base.ndim]
        if view == "step":
            return base[::2]
        if view == "T":
            return base.T
        return np.asfortranarray(base) if view == "f" else base
    args = [make(a) for a in args]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            v = func(*args)
        result = ["return", encode(v), out.getvalue()]
    except Exception as exc:
        result = ["raise", type(exc).__name__, out.getvalue()]
    result.append([encode(a) for a in args if isinstance(a, np.ndarray)])  # the caller's arrays after the call
    print(json.dumps(result))
""")


def test_{name}(tmp_path):
    path = tmp_path / "fuzzcase.py"
    path.write_text(SOURCE)
    backend, opt, overflow = CONFIG
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), backend, str(opt), overflow, json.dumps(ARGS)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"the child process failed (status {{proc.returncode}}): {{proc.stderr[-2000:]}}"
    assert json.loads(proc.stdout.splitlines()[-1]) == [*EXPECTED[:3], *EXPECTED[4:5]]
'''

FINDING_TEMPLATE = '''# Found by pyexec's fuzzer (fuzz/, branch h/fuzz), reduced by fuzz/reduce.py.
# seed {seed}; configuration: {config_name}; verdict: {verdict}
# arguments: f0(*{args!r})
# expected (CPython with NumPy scalars, pyexec's documented int rules): {expected}
# actual ({config_name}): {actual}
# Run from the repository's root: python this_file.py   (prints CPython's result and the backend's)
{source}

if __name__ == "__main__":
    import json
    import sys

    sys.path.insert(0, ".")
    from fuzz.oracle import materialize  # array arguments are specs: each call gets fresh arrays
    from pyexec import aot
    spec = json.loads({args_json!r})
    args = [materialize(a) for a in spec]
    try:
        print("CPython:", f0(*args))
    except Exception as exc:
        print("CPython:", type(exc).__name__, exc)
    backend, opt, overflow = {config!r}
    if backend == "aot":
        func = aot(f0, opt=opt, overflow=overflow, cache=False)
    else:
        import pyexec.frontend as fe
        from pyexec.backends.wasm.build import compile_ir_module
        from pyexec.backends.wasm.loader import load
        func = load(compile_ir_module(fe.analyze_functions([f0]), optimize=opt, functions=["f0"],
                                      overflow=overflow).wasm).f0
    args = [materialize(a) for a in spec]
    try:
        print(backend, opt, overflow + ":", func(*args))
    except Exception as exc:
        print(backend, opt, overflow + ":", type(exc).__name__, exc)
'''


def reduce_finding(finding: dict[str, Any], options: Options | None = None, *, tests_dir: Path | None = None,
                   findings_dir: Path | None = None, short: str | None = None, call_timeout: float = 5.0,
                   max_checks: int = 3000) -> str:
    """Reduce a finding (the JSON the fuzz run wrote) and write its regression test; returns a report.

    Example:
        >>> reduce_finding(json.loads(Path("fuzz-findings/mismatch-17-aot-O2check.json").read_text()),
        ...                tests_dir=Path("fuzz-findings"))   # doctest: +SKIP
    """
    settings = Settings(call_timeout=call_timeout, options=options or Options())
    program = generate_program(finding["seed"], settings.options)
    checker = Checker(finding, settings)
    try:
        if not checker.holds(program):
            return f"seed {finding['seed']}: the verdict {finding['verdict']!r} does not reproduce"
        reduced = reduce_program(program, checker, max_checks)
        final = checker.outcome(reduced)
    finally:
        checker.close()
    source = reduced.source(annotate_all=finding["config"][0] == "wasm")  # wasm has no call to type from
    expected = final.expected if final is not None else finding["expected"]
    actual = final.actual if final is not None else finding["actual"]
    name = short or f"seed{finding['seed']}_{config_name(finding['config']).replace(' ', '_').replace('-', '')}"
    report = [f"seed {finding['seed']} {config_name(finding['config'])} {finding['verdict']}: "
              f"{size(program)} -> {size(reduced)} characters in {checker.checks} checks",
              source, f"args {finding['args']!r}", f"expected {expected}", f"actual   {actual}"]
    if tests_dir is not None and finding["config"][0] in ("aot", "wasm"):
        tests_dir.mkdir(parents=True, exist_ok=True)
        summary = f"expected {expected[:3]}, got {actual}"
        path = tests_dir / f"test_fuzz_{name}.py"
        path.write_text(TEST_TEMPLATE.format(seed=finding["seed"], config_name=config_name(finding["config"]),
                                             verdict=finding["verdict"], summary=summary.replace('"""', "'''"),
                                             source=source, args_json=json.dumps(finding["args"]),
                                             expected=expected,
                                             config=finding["config"], name=name))
        report.append(f"wrote {path}")
    if findings_dir is not None:
        findings_dir.mkdir(parents=True, exist_ok=True)
        path = findings_dir / f"fuzz_{name}.py"
        path.write_text(FINDING_TEMPLATE.format(seed=finding["seed"], config_name=config_name(finding["config"]),
                                                verdict=finding["verdict"], args=finding["args"],
                                                args_json=json.dumps(finding["args"]),
                                                expected=expected, actual=actual, source=source,
                                                config=finding["config"]))
        report.append(f"wrote {path}")
    return "\n".join(report)


def load_finding(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
