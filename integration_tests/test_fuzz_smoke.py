"""A short fixed-seed run of pyexec's own fuzzer (fuzz/): generator, CPython oracle, workers and reducer.

The long runs are ``nox -s fuzz -- --minutes 30``; this keeps the machinery honest in CI (about half a
minute): generated programs are well-typed for the frontend, the oracle applies pyexec's documented
``int`` rules, a fixed set of programs agrees with CPython on aot (every -O, both overflow modes) and
wasm, a call that never returns is a *hang* verdict rather than the end of the run, and the reducer
shrinks a program while its property holds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # fuzz/ is a tool of the repository, not an installed package

from fuzz.generate import Options, generate_arguments, generate_program  # noqa: E402
from fuzz.oracle import close, make_array, run_oracle  # noqa: E402
from fuzz.program import Assign, Const, Function, Program, Return, Var, While  # noqa: E402
from fuzz.reduce import TEST_TEMPLATE, reduce_program  # noqa: E402
from fuzz.runner import Settings, Worker, fuzz, run_program, verdict  # noqa: E402


def test_generated_programs_are_accepted_and_verified_by_the_frontend():
    import pyexec.frontend as fe

    for seed in range(60):
        module = fe.analyze_source(generate_program(seed).source(), f"fuzz_{seed}.py")
        fe.verify_module(module)


def test_generated_programs_are_reproducible_from_their_seed():
    assert generate_program(123).source() == generate_program(123).source()
    assert generate_program(123).source() != generate_program(124).source()


@pytest.mark.parametrize(("overflow", "expected"), [("check", ("raise", "OverflowError")),
                                                    ("wrap", ("return", 0))])
def test_oracle_int_arithmetic_is_64_bit_checked_or_wrapping(overflow, expected):
    source = "def f0(p1: int) -> int:\n    return _bin('*', p1, p1)\n"
    outcome = run_oracle(source, "f0", ["int"], [2**32], overflow=overflow)
    assert (outcome.kind, outcome.value) == expected


def test_oracle_fixed_width_division_by_zero_raises_like_compiled_code():
    # NumPy warns and returns 0; pyexec raises ZeroDivisionError for every division by zero.
    source = "def f0(p1: int8) -> int8:\n    return _bin('//', p1, int8(0))\n"
    outcome = run_oracle(source, "f0", ["int8"], [5])
    assert (outcome.kind, outcome.value) == ("raise", "ZeroDivisionError")


def test_oracle_marks_out_of_range_float_casts_as_undefined():
    source = "def f0(p1: float) -> int8:\n    return int8(p1)\n"
    assert run_oracle(source, "f0", ["float"], [1e20]).kind == "undefined"
    assert run_oracle(source, "f0", ["float"], [-3.7]).value == -3


def test_fixed_seed_programs_agree_with_cpython_on_aot_and_wasm():
    settings = Settings(backends=["aot", "wasm"], calls_per_program=4, jit_every=0)
    stats = fuzz(0, programs=6, workers=1, settings=settings, progress=False)
    assert stats.programs == 6
    verdicts = {family: dict(counter) for family, counter in stats.verdicts.items()}
    assert set(verdicts) == {"aot", "wasm"}
    for family, counts in verdicts.items():
        assert counts.get("agree", 0) > 0, verdicts
        bad = {v: n for v, n in counts.items() if v not in ("agree", "skipped")}
        assert not bad, (family, bad, [(f.seed, f.config, f.args, f.expected, f.actual) for f in stats.findings])


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (it runs the JS glue)")
def test_fixed_seed_programs_agree_with_cpython_in_node():
    settings = Settings(backends=["node"], calls_per_program=3, jit_every=0)
    stats = fuzz(1, programs=8, workers=1, settings=settings, progress=False)  # programs 1 and 5 run in Node
    counts = dict(stats.verdicts["node"])
    assert counts.get("agree", 0) > 0 and set(counts) <= {"agree", "skipped"}, (counts, stats.findings)


def test_a_call_that_never_returns_is_a_hang_verdict_and_the_worker_is_replaced():
    # 10**15 iterations at -O0 (kept as a loop): the parent stops waiting after call_timeout.
    body = [Assign("v1", Var("p1", "int", weak=True, py=True)),
            While("w2", 10**15, Const(True, "bool"), []),
            Return(Var("v1", "int", weak=True, py=True))]
    program = Program([Function("f0", [("p1", "int")], "int", body)])
    settings = Settings(call_timeout=2.0, oracle_timeout=0.5)
    worker = Worker()
    try:
        findings = run_program(worker, 0, [["aot", 0, "check"]], settings, program=program, args=[[1]])
    finally:
        worker.stop()
    assert [(f.verdict, f.actual) for f in findings] == [("hang", "timeout")]
    assert worker.proc is None


class _Contains:
    """A real property for the reducer to preserve: the program still contains a power operator."""

    checks = 0

    def holds(self, program: Program) -> bool:
        self.checks += 1
        return " ** " in program.source()


def test_reducer_shrinks_a_program_while_the_property_holds():
    seed = next(s for s in range(200) if " ** " in generate_program(s).source())
    program = generate_program(seed)
    reduced = reduce_program(program, _Contains(), max_checks=400)  # type: ignore[arg-type]
    assert " ** " in reduced.source()
    assert len(reduced.source()) < len(program.source()) // 2


# --- array and tuple programs (fuzz/arrays.py, the tuple statements of fuzz/generate.py) ---------------------


ARRAYS_AND_TUPLES = Options(kinds=("array", "tuple"))


def test_array_and_tuple_programs_of_fixed_seeds_compile_and_agree_on_aot_and_wasm():
    settings = Settings(options=ARRAYS_AND_TUPLES, calls_per_program=3)
    worker = Worker()
    kinds, returned, agreed = set(), set(), []
    try:
        for seed in (1, 4, 5, 8, 13, 24):  # 4, 8 and 24 write array programs, the others tuple programs
            program = generate_program(seed, ARRAYS_AND_TUPLES)
            kinds.add(program.kind)
            findings = run_program(worker, seed, [["aot", 1, "check"], ["wasm", 2, "check"]], settings,
                                   agreed=agreed)
            assert not findings, [(f.seed, f.config, f.verdict, f.expected, f.actual) for f in findings]
            for args in generate_arguments(program, seed, 3):
                outcome = run_oracle(program.oracle_source(), "f0", [t for _, t in program.entry.params], args)
                returned.add(type(outcome.value).__name__ if outcome.kind == "return" else outcome.kind)
    finally:
        worker.stop()
    assert kinds == {"array", "tuple"} and agreed.count("agree") >= 30, agreed
    assert {"ndarray", "tuple"} <= returned, returned  # array results and tuple results were compared


def test_generated_array_and_tuple_programs_are_accepted_and_verified_by_the_frontend():
    import pyexec.frontend as fe

    for seed in range(60):  # the generator stays inside the documented subset: a rejection is a finding
        program = generate_program(seed, ARRAYS_AND_TUPLES)
        module = fe.analyze_source(program.source(annotate_all=True), f"fuzz_{seed}.py")
        fe.verify_module(module)


def test_array_arguments_are_made_with_every_layout_from_their_spec():
    data = list(range(12))
    c = make_array({"dtype": "int16", "shape": [3, 4], "view": "c", "data": data})
    assert c.dtype == np.int16 and c.flags.c_contiguous and c.tolist() == np.arange(12).reshape(3, 4).tolist()
    t = make_array({"dtype": "float32", "shape": [4, 3], "view": "T", "data": data})
    assert t.shape == (4, 3) and not t.flags.c_contiguous and t[1, 0] == 1.0
    step = make_array({"dtype": "bool", "shape": [3], "view": "step", "data": [1, 0, 1, 0, 0, 1]})
    assert step.dtype == np.bool_ and step.strides == (2,) and step.tolist() == [True, True, False]
    rev = make_array({"dtype": "uint8", "shape": [2, 2], "view": "rev", "data": [1, 2, 3, 4]})
    assert rev.tolist() == [[4, 3], [2, 1]] and rev.strides == (-2, -1)


def test_oracle_compares_arrays_by_dtype_shape_and_bits_and_the_callers_arrays_after_the_call():
    source = "def f0(p1):\n    p1[0] = -0.0\n    return p1[::-1] * 2\n"
    spec = {"dtype": "float64", "shape": [2], "view": "c", "data": [1.0, float("nan")]}
    outcome = run_oracle(source, "f0", ["A:float64:1"], [spec]).to_json()
    assert outcome[:2] == ["return", ["array", "float64", [2], [["float", "nan"], ["float", "-0"]]]]
    assert outcome[4] == [["array", "float64", [2], [["float", "-0"], ["float", "nan"]]]]  # the write is seen
    one_ulp = ["return", ["array", "float64", [1], [["float", float.hex(1.0 + 2**-52)]]], "", "", []]
    exact = ["return", ["array", "float64", [1], [["float", float.hex(1.0)]]], "", "", []]
    other_dtype = ["return", ["array", "float32", [1], [["float", float.hex(1.0)]]], "", "", []]
    assert verdict(exact, one_ulp, ["aot", 0, "check"], None) == "mismatch"
    assert verdict(exact, one_ulp, ["aot", 0, "check"], None, loose=True) == "agree"  # float sums, BLAS, SIMD
    assert verdict(exact, other_dtype, ["aot", 0, "check"], None, loose=True) == "mismatch"
    assert not close(["float", float.hex(1.0)], ["float", float.hex(1.0 + 2**-30)])


def test_a_finding_in_an_array_program_reduces_to_a_regression_test_that_runs(tmp_path):
    # a made-up finding whose "actual" is CPython's own outcome: the written test must pass
    program = generate_program(0, ARRAYS_AND_TUPLES)
    args = generate_arguments(program, 0, 1)[0]
    expected = run_oracle(program.oracle_source(), "f0", [t for _, t in program.entry.params], args).to_json()
    path = tmp_path / "test_case.py"
    path.write_text(TEST_TEMPLATE.format(seed=0, config_name="aot -O0 check", verdict="mismatch", summary="",
                                         source=program.source(), args_json=json.dumps(args), expected=expected,
                                         config=["aot", 0, "check"], name="case"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
