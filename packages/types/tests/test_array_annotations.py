"""``float64[:]`` and friends evaluate in CPython (so annotated functions import, and run under Numba)."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.types import ArrayAnnotation, complex64, float64, int32


def test_subscripting_a_scalar_type_spells_the_array_type_as_numba_does():
    assert repr(float64[:]) == "float64[:]"
    assert repr(int32[:, ::1]) == "int32[:, ::1]"
    assert float64[::1] == ArrayAnnotation(float64, 1, "C") != float64[:]


def test_isinstance_checks_dtype_ndim_and_c_contiguity():
    a = np.zeros((3, 4), np.int32)
    assert isinstance(a, int32[:, :]) and isinstance(a, int32[:, ::1])
    assert not isinstance(a.T, int32[:, ::1]) and isinstance(a.T, int32[:, :])
    assert not isinstance(a, int32[:]) and not isinstance(a.astype(np.int64), int32[:, :])


@pytest.mark.parametrize("axes", [(slice(1, None),), (slice(None, None, 2),), (slice(None, None, 1), slice(None)),
                                  (0,)])
def test_anything_but_colons_and_a_final_unit_step_is_a_type_error(axes):
    with pytest.raises(TypeError, match=r"one ':' per axis and '::1' on the last axis only"):
        complex64[axes]
