"""The formatting routines (``pyexec_fmt_int``/``float``/``str``), JIT-ed alone and called through
ctypes in a child process, against CPython's ``format``/``str``/``repr`` (NumPy's ``str`` for float32).
Float digits must be EXACT: shortest round trip for ``repr``, correct rounding (half-even ties)."""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from string_jit import RuntimeWorker

from pyexec.frontend.format_spec import FormatSpecError, parse_format_spec

# PYEXEC_STRING_EXAMPLES=4000 for a long run.
EXAMPLES = int(os.environ.get("PYEXEC_STRING_EXAMPLES", "300"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
INT64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, -1, 2**63 - 1, -(2**63), 10**18]))
UINT64 = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 2**64 - 1, 2**63]))
SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e16, 1e-5, 1e-4, 0.1, 0.125, 0.375, 2.5, 1e22, 1e300,
           5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 9007199254740993.0, 123456789.125]
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIAL),
                   st.floats(-1e6, 1e6), st.integers(-(2**63), 2**63 - 1).map(lambda b: struct.unpack(
                       "<d", struct.pack("<q", b))[0]))
SPEC = st.builds(
    lambda fill_align, sign, alt, zero, width, sep, precision, kind: (
        f"{fill_align}{sign}{alt}{zero}{width}{sep}{precision}{kind}"),
    st.sampled_from(["", "<", ">", "^", "=", "*<", "0=", "€^", "x>"]), st.sampled_from(["", "+", "-", " "]),
    st.sampled_from(["", "#"]), st.sampled_from(["", "0"]), st.sampled_from(["", "1", "5", "8", "12", "30"]),
    st.sampled_from(["", ",", "_"]), st.sampled_from(["", ".0", ".1", ".3", ".10", ".17"]),
    st.sampled_from(["", "d", "x", "X", "o", "b", "e", "E", "f", "F", "g", "G", "%", "s"]))


@pytest.fixture(scope="module")
def rt() -> Iterator[RuntimeWorker]:
    worker = RuntimeWorker()
    yield worker
    worker.close()


def _expect(value: object, spec: str, kind: str) -> str | None:
    """CPython's text, or None when CPython refuses the spec (then the compiler must too)."""
    try:
        expected = format(value, spec)
    except ValueError:
        with pytest.raises(FormatSpecError):
            parse_format_spec(spec, kind)  # type: ignore[arg-type]
        return None
    return expected


@FAST
@given(INT64)
def test_str_of_int64_matches_cpython_at_every_magnitude(rt, v):
    assert rt("format", "int", v, "") == str(v)


@FAST
@given(UINT64)
def test_str_and_hex_of_uint64_match_numpy(rt, v):
    assert rt("format", "uint", v, "") == str(np.uint64(v))
    assert rt("format", "uint", v, "#x") == format(v, "#x")


@FAST
@given(FLOATS)
def test_repr_of_float64_is_exactly_cpythons_shortest_round_trip(rt, x):
    assert rt("format", "float", x, "") == repr(x)


@FAST
@given(st.floats(width=32, allow_nan=True, allow_infinity=True))
def test_str_of_float32_matches_numpy(rt, x):
    assert rt("format", "float32", x, "") == str(np.float32(x))


@FAST
@given(INT64, SPEC)
def test_int_format_specs_match_cpython(rt, v, spec):
    expected = _expect(v, spec, "int")
    assume(expected is not None)
    assert rt("format", "int", v, spec) == expected


@FAST
@given(FLOATS, SPEC)
def test_float_format_specs_match_cpython(rt, x, spec):
    expected = _expect(x, spec, "float")
    assume(expected is not None)
    assert rt("format", "float", x, spec) == expected


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), SPEC)
def test_str_format_specs_match_cpython(rt, s, spec):
    expected = _expect(s, spec, "str")
    assume(expected is not None)
    assert rt("format", "str", s, spec) == expected


@pytest.mark.parametrize(("x", "spec", "text"), [
    (0.125, ".2f", "0.12"), (0.375, ".2f", "0.38"), (2.5, ".0f", "2"), (3.5, ".0f", "4"), (1e16, "", "1e+16"),
    (1e-5, "", "1e-05"), (-0.0, "", "-0.0"), (1234567.891, ",.2f", "1,234,567.89"), (1.5, "08.2f", "00001.50"),
    (12345.678, "e", "1.234568e+04"), (0.5, "%", "50.000000%"), (float("nan"), "+", "+nan"),
])
def test_float_formatting_edge_cases_including_half_even_ties(rt, x, spec, text):
    assert format(x, spec) == text
    assert rt("format", "float", x, spec) == text


@pytest.mark.parametrize("spec", ["d", "5", "<8", ">8", "^8", ",", "x", "_b", "#o", "+", " ", "08", "010,"])
def test_the_common_int_specs(rt, spec):
    for v in (0, 7, -42, 1234567, -(2**63)):
        assert rt("format", "int", v, spec) == format(v, spec)


@pytest.mark.parametrize(("spec", "message"), [
    (",x", "Cannot specify ',' with 'x'."), (".2d", "Precision not allowed"), ("c", "not supported"),
    ("z", "not supported"), ("q", "Unknown format code 'q'"), (".101f", "above 100"),
])
def test_unsupported_or_invalid_specs_are_refused_with_a_reason(spec, message):
    with pytest.raises(FormatSpecError, match=message.replace(".", r"\.").replace("(", r"\(")):
        parse_format_spec(spec, "int")


def test_formatting_leaks_no_block_and_runs_in_threads(rt):
    start = rt.live()
    for v in (1, -2**63, 12345):
        rt("format", "int", v, "*^20,")
        rt("format", "float", v / 7, ".3e")
    assert rt.live() == start
    assert rt("threads", "format", ["float", 0.1, ">10.4f"], 8, 100) == ["    0.1000"] * 8


def test_repr_of_every_power_of_two_is_cpythons(rt):
    # A power of two's rounding interval is narrower below it, where the shortest string may round up.
    for k in range(-1074, 1024):
        x = 2.0**k
        assert rt("format", "float", x, "") == repr(x), k
    for k in range(-149, 128):
        f = np.float32(2.0**k)
        assert rt("format", "float32", float(f), "") == str(f), k
