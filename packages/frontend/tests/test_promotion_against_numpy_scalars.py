"""The promotion table against CPython itself: every NumPy scalar type with every kind of Python number (int,
float, bool, complex), given as a literal or as a variable of that Python type, under every arithmetic operator, in
both orders. CPython computes the operation on real NumPy 2 scalars; the frontend must give the result the same type
(issue 12 item 3: a Python ``float`` is weak wherever it comes from, as an ``int`` is).

The frontend's types say ``int`` for a Python int but ``float64`` for both a Python float and ``np.float64``; the
weak flag tells them apart, and is read here by adding a ``float32`` (a weak float gives ``float32``).
"""

from __future__ import annotations

import itertools
import operator
import warnings

import numpy as np
import pytest

import pyexec.frontend as fe
from pyexec.types import ALL_TYPES

NUMPY_TYPES = list(ALL_TYPES)  # bool_ included: its + is a logical or, its - a TypeError
PYTHON_VALUES = {"int": "3", "float": "1.5", "bool": "True", "complex": "(1+2j)"}
VALUES = {"int": 3, "float": 1.5, "bool": True, "complex": 1 + 2j}  # the same, as CPython objects
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "//": operator.floordiv, "%": operator.mod, "**": operator.pow}
PROBE = {"float64": "float32", "complex128": "complex64"}


def cpython_type(numpy_name: str, python_kind: str, op: str, numpy_first: bool) -> str | None:
    """The type CPython's result has (``int``, ``float``, ``float32`` …), or None if it raises TypeError."""
    a, b = ALL_TYPES[numpy_name](2), VALUES[python_kind]  # bool_(2) is True
    if not numpy_first:
        a, b = b, a
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = OPERATORS[op](a, b)
        except TypeError:
            return None
    return type(result).__name__ if type(result).__module__ == "builtins" else np.dtype(type(result)).name


def frontend_type(numpy_name: str, python_kind: str, op: str, numpy_first: bool, as_variable: bool) -> str | None:
    """The type the frontend gives the same expression, named as :func:`cpython_type` names it."""
    py = "p" if as_variable else PYTHON_VALUES[python_kind]
    expr = f"x {op} {py}" if numpy_first else f"{py} {op} x"
    header = f"from pyexec import {', '.join(dict.fromkeys([numpy_name, 'float32', 'complex64']))}\n"
    signature = f"def f(x: {numpy_name}, p: {python_kind}):\n"
    try:
        module = fe.analyze_source(header + signature + f"    return {expr}\n")
    except fe.CompileTypeError:
        return None
    t = str(module.functions["f"].return_type)
    if t == "bool_":
        return "bool"  # NumPy names its bool dtype "bool"
    if t in PROBE:
        probe = fe.analyze_source(header + signature + f"    return ({expr}) + {PROBE[t]}(1)\n")
        weak = str(probe.functions["f"].return_type) == PROBE[t]
        return {"float64": "float", "complex128": "complex"}[t] if weak else t
    return t


CASES = list(itertools.product(NUMPY_TYPES, PYTHON_VALUES, OPERATORS, (True, False)))


@pytest.mark.parametrize(("numpy_name", "python_kind", "op", "numpy_first"), CASES,
                         ids=[f"{n}{op}{k}" if first else f"{k}{op}{n}" for n, k, op, first in CASES])
def test_numpy_scalar_with_a_python_number_has_the_type_cpython_gives(numpy_name, python_kind, op, numpy_first):
    expected = cpython_type(numpy_name, python_kind, op, numpy_first)
    assert frontend_type(numpy_name, python_kind, op, numpy_first, as_variable=False) == expected, "literal"
    assert frontend_type(numpy_name, python_kind, op, numpy_first, as_variable=True) == expected, "variable"


@pytest.mark.parametrize(("a", "b"), list(itertools.product(PYTHON_VALUES, PYTHON_VALUES)))
def test_two_python_numbers_have_the_type_cpython_gives(a, b):
    for op, fn in OPERATORS.items():
        try:
            expected = type(fn(VALUES[a], VALUES[b])).__name__
        except TypeError:
            expected = None
        if expected == "bool":  # True + True is an int; only & | ^ keep a bool, and they are not here
            expected = "int"
        source = f"def f(p: {a}, q: {b}):\n    return p {op} q\n"
        try:
            t = str(fe.analyze_source(source).functions["f"].return_type)
        except fe.CompileTypeError:
            t = None
        got = {"float64": "float", "complex128": "complex"}.get(t, t) if t else None
        assert got == expected, f"{a} {op} {b}"


def test_a_float_parameter_with_float32_is_float32_like_float_of_it():
    header = "from pyexec import float32\n"
    direct = fe.analyze_source(header + "def f(p: float, y: float32):\n    return p + y\n")
    converted = fe.analyze_source(header + "def f(p: float, y: float32):\n    return float(p) + y\n")
    assert str(direct.functions["f"].return_type) == str(converted.functions["f"].return_type) == "float32"
    assert type(1.5 + np.float32(2)).__name__ == "float32"


def test_a_float64_parameter_stays_strong():
    header = "from pyexec import float32, float64\n"
    module = fe.analyze_source(header + "def f(p: float64, y: float32):\n    return p + y\n")
    assert str(module.functions["f"].return_type) == "float64" == np.dtype(type(np.float64(1) + np.float32(2))).name


def test_a_local_first_assigned_a_python_float_is_weak():
    header = "from pyexec import float32\n"
    module = fe.analyze_source(header + "def f(y: float32):\n    t = 0.5\n    return t * y\n")
    assert str(module.functions["f"].return_type) == "float32"


def test_a_call_of_a_function_returning_float_is_weak():
    source = ("from pyexec import float32\ndef half(v: float) -> float:\n    return v / 2\n"
              "def f(y: float32, v: float):\n    return half(v) + y\n")
    assert str(fe.analyze_source(source).functions["f"].return_type) == "float32"


@pytest.mark.parametrize(("expr", "numpy_op"), [("a - b", lambda a: a - a), ("-a", operator.neg), ("+a", operator.pos)])
def test_numpy_bool_subtraction_and_sign_are_type_errors_as_in_numpy(expr, numpy_op):
    with pytest.raises(TypeError):
        numpy_op(np.True_)
    source = f"from pyexec import bool_\ndef f(a: bool_, b: bool_):\n    return {expr}\n"
    with pytest.raises(fe.CompileTypeError, match="numpy boolean"):
        fe.analyze_source(source)


def test_python_bools_keep_pythons_arithmetic():
    module = fe.analyze_source("def f(a: bool, b: bool):\n    return a + b - True\n")
    assert str(module.functions["f"].return_type) == "int"
    assert type(True + True - True) is int
