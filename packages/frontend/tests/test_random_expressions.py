"""Random expression trees over the subset either type-check and verify, or raise CompileError.

Never anything else: no internal exception, no IR the verifier rejects. The trees mix every
scalar type, the edge literals (0, -1, int64 limits, NaN, inf, -0.0), every operator, the
builtins and math functions, so they reach the promotion rules and the diagnostics alike.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyexec.frontend as fe

PARAMS = {
    "a": "int", "b": "float", "c": "int8", "d": "uint8", "e": "float32", "f": "bool", "g": "complex",
    "h": "int32", "u": "uint64", "z": "complex64", "k": "bool_",
}
HEADER = "import math\nfrom pyexec import int8, uint8, float32, int32, uint64, complex64, bool_\n\n"

LEAVES = st.sampled_from([
    *PARAMS, "0", "-1", "1", "2", "255", "300", "9223372036854775807", "-9223372036854775808",
    "18446744073709551616", "0.0", "-0.0", "1.5", "math.inf", "math.nan", "math.pi", "True", "False", "1j",
    "(2+3j)",
])
BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>"])
COMPARE = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
CALLS1 = st.sampled_from([
    "abs", "int", "float", "bool", "complex", "uint8", "int8", "float32", "bool_", "round", "math.sqrt",
    "math.floor", "math.isnan", "math.exp", "math.fabs",
])
CALLS2 = st.sampled_from(["min", "max", "pow", "math.atan2", "math.hypot", "round", "math.log"])


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, BINARY, children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "+", "~", "not "]), children).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(children, COMPARE, children, st.none() | st.tuples(COMPARE, children)).map(
            lambda t: f"({t[0]} {t[1]} {t[2]}" + (f" {t[3][0]} {t[3][1]})" if t[3] else ")")),
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(CALLS1, children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(CALLS2, children, children).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(children, st.sampled_from(["real", "imag"])).map(lambda t: f"({t[0]}).{t[1]}"),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=12)
SIGNATURE = ", ".join(f"{n}: {t}" for n, t in PARAMS.items())


def _check(source: str) -> None:
    try:
        module = fe.analyze_source(source, "random.py")
    except fe.CompileError as err:
        assert err.line >= 1 and str(err).startswith("random.py:")
        return
    fe.verify_module(module)
    assert fe.print_module(module)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_a_returned_expression_verifies_or_is_a_compile_error(expr: str) -> None:
    _check(f"{HEADER}def f({SIGNATURE}):\n    return {expr}\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, EXPRESSIONS, st.sampled_from(["int", "float", "uint8", "float32", "complex", "bool"]))
def test_statements_over_expressions_verify_or_are_compile_errors(first: str, second: str, ret: str) -> None:
    body = (
        f"    x = {first}\n"
        f"    if {second}:\n"
        f"        x += {second}\n"
        f"    while x < 10:\n"
        f"        x = x + 1\n"
        f"    return x\n"
    )
    _check(f"{HEADER}def f({SIGNATURE}) -> {ret}:\n{body}")


def test_an_absurdly_deep_expression_is_a_compile_error_not_a_crash() -> None:
    deep = "(" * 5000 + "1" + ")" * 5000
    try:
        fe.analyze_source(f"def f() -> int:\n    return {deep}\n", "deep.py")
    except fe.CompileError:
        pass
    sum_chain = " + ".join(["1"] * 20000)
    try:
        module = fe.analyze_source(f"def f() -> int:\n    return {sum_chain}\n", "deep.py")
        fe.verify_module(module)
    except fe.CompileError:
        pass
