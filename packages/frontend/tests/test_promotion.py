"""The promotion table against NumPy 2 itself (NEP 50), for every pair of types, strong and weak."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pyexec.frontend.ir.types import BY_NAME, FLOAT64, INT, ScalarT
from pyexec.frontend.irbuild.literals import fold_cast
from pyexec.frontend.promotion import promote
from pyexec.types import ALL_TYPES

NUMERIC = [t for name, t in BY_NAME.items() if isinstance(t, ScalarT) and name in ALL_TYPES and not t.is_bool]


def _numpy(t: ScalarT) -> np.dtype:
    return np.dtype(t.info.numpy_dtype)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(NUMERIC, NUMERIC)), ids=str)
def test_two_numpy_types_promote_as_numpy_does(a: ScalarT, b: ScalarT) -> None:
    t, weak = promote(a, False, b, False)
    assert not weak
    assert _numpy(t) == np.result_type(_numpy(a), _numpy(b))


@pytest.mark.parametrize("t", NUMERIC, ids=str)
@pytest.mark.parametrize("literal", [1, 1.5, 1j], ids=["int", "float", "complex"])
def test_a_python_literal_is_weak_as_in_nep50(t: ScalarT, literal: object) -> None:
    weak_type = {int: INT, float: FLOAT64, complex: BY_NAME["complex"]}[type(literal)]
    assert isinstance(weak_type, ScalarT)
    result, _ = promote(t, False, weak_type, True)
    assert _numpy(result) == np.result_type(_numpy(t), literal)


def test_python_types_promote_as_python() -> None:
    assert promote(INT, True, INT, True) == (INT, True)
    assert promote(INT, True, FLOAT64, True) == (FLOAT64, True)
    assert str(promote(FLOAT64, False, INT, True)[0]) == "float64"


@pytest.mark.parametrize("name", ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"])
@pytest.mark.parametrize("value", [0, -1, 1, 127, 128, 255, 256, 300, -129, 2**31, 2**63 - 1, -2**63, 2**64 - 1])
def test_folded_integer_casts_wrap_like_the_pyexec_types(name: str, value: int) -> None:
    t = BY_NAME[name]
    assert isinstance(t, ScalarT)
    assert fold_cast(value, t) == int(ALL_TYPES[name](value))


@pytest.mark.parametrize("value", [0.0, -0.0, 0.1, 1e38, 3.4e38, 1e-45, float("inf"), float("nan")])
def test_folded_float32_constants_round_like_numpy(value: float) -> None:
    folded = fold_cast(value, BY_NAME["float32"])  # type: ignore[arg-type]
    expected = float(np.float32(value))
    assert folded is not None
    assert folded == expected or (folded != folded and expected != expected)
