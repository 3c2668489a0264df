"""Array types in the frontend: annotations, typing from a call's arguments, and the verifier's rules."""

from __future__ import annotations

import numpy as np
import pytest

import pyexec.frontend as fe
from pyexec.frontend.diagnostics import IRVerifyError
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import FLOAT64, INT, INT32, ArrayT
from pyexec.frontend.irbuild.arrays import ArgumentType, type_of_argument
from pyexec.types import float64, int32


def column(a: int32[:, ::1], j: int) -> int32:
    return a[0, j] + a[len(a) - 1, j]


def untyped(arr, k):
    return arr[k] * 2.0


def test_numba_spelled_annotations_give_array_types():
    fn = fe.analyze_functions([column]).functions["column"]
    assert fn.params[0].type == ArrayT(INT32, 2, "C")
    assert "getitem<int32>(a, 0:int, j)" in fe.print_function(fn)


@pytest.mark.parametrize(("value", "expected"), [
    (np.zeros((2, 3), np.int32), "int32[:, ::1]"), (np.zeros((3, 2)).T, "float64[:, :]"),
    (np.zeros(5, np.bool_)[::2], "bool_[:]"), (np.float32(1.5), "float32"), (7, "int"), (2.5, "float64"),
])
def test_an_arguments_type_is_its_dtype_dimensions_and_layout(value, expected):
    assert str(type_of_argument(value).type) == expected


def test_arguments_without_a_compiled_type_give_none():
    assert type_of_argument(b"bytes") is None and type_of_argument(np.zeros(2, ">f8")) is None
    assert str(type_of_argument("text").type) == "str"  # a str argument types its parameter str
    assert type_of_argument(np.zeros(())) is None  # a 0-d array


def test_unannotated_parameters_take_the_given_argument_types():
    m = fe.analyze_functions([untyped], argument_types=[ArgumentType(ArrayT(FLOAT64, 1, "A")), ArgumentType(INT)])
    fn = m.functions["untyped"]
    assert [str(p.type) for p in fn.params] == ["float64[:]", "int"] and str(fn.return_type) == "float64"


def total(a):
    return a.sum()


def scaled(x, k=-2):
    return x * k


def uses_untyped_helpers(a: float64[:], b: int32[::1]) -> float:
    return total(a) + total(b) + total(a[::2]) + scaled(2.5) + scaled(3, 4) + scaled(1.5)


def test_an_unannotated_callee_is_specialised_per_list_of_argument_types_as_numba_does():
    m = fe.analyze_functions([uses_untyped_helpers])
    signatures = {name: ([str(p.type) for p in fn.params], str(fn.return_type)) for name, fn in m.functions.items()}
    assert signatures == {
        "uses_untyped_helpers": (["float64[:]", "int32[::1]"], "float64"),
        "total": (["float64[:]"], "float64"),  # a[::2] is float64[:] too: the same specialisation
        "total_2": (["int32[::1]"], "int64"),
        "scaled": (["float64", "int"], "float64"),  # the missing k takes its default's type
        "scaled_2": (["int", "int"], "int"),
    }


def test_without_argument_types_an_unannotated_parameter_is_an_error_mentioning_aot():
    with pytest.raises(fe.CompileTypeError, match="has no type annotation") as info:
        fe.analyze_functions([untyped])
    assert "aot types unannotated parameters" in str(info.value)


def test_the_verifier_refuses_an_array_where_a_scalar_is_needed():
    loc = n.Loc("f.py", 1, 0)
    a = n.Param("a", ArrayT(FLOAT64, 1, "A"), 0, loc)
    bad = n.Function("f", [a], FLOAT64, [], [n.Return(n.BinOp("add", n.Name(a, a.type, loc), n.Name(a, a.type, loc),
                                                                FLOAT64, loc), loc)], loc)
    with pytest.raises(IRVerifyError, match="an array where a scalar is needed"):
        fe.verify_module(n.Module({"f": bad}))
    wrong_index = n.Function("f", [a], FLOAT64, [], [n.Return(n.GetItem(n.Name(a, a.type, loc), [
        n.Const(0.5, FLOAT64, loc)], True, FLOAT64, loc), loc)], loc)
    with pytest.raises(IRVerifyError, match="index 0 has type float64, expected int"):
        fe.verify_module(n.Module({"f": wrong_index}))


def test_array_types_print_as_numba_spells_them():
    assert str(ArrayT(FLOAT64, 1, "C")) == "float64[::1]" and str(ArrayT(INT32, 3, "A")) == "int32[:, :, :]"
    with pytest.raises(ValueError, match="use int64, not int"):
        ArrayT(INT, 1, "A")



def array_and_its_sum(a: float64[:]):
    return (a, a.sum())


def test_a_tuple_holding_an_array_is_a_located_diagnostic_not_an_internal_error():
    with pytest.raises(fe.UnsupportedSyntaxError, match="a tuple holding a float64\\[:\\] value is not supported"):
        fe.analyze_functions([array_and_its_sum])
