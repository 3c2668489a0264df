"""Inside Numba-compiled code the scalar types cast like NumPy's own."""

import numpy as np
import pytest

numba = pytest.importorskip("numba", reason="numba is an optional companion of pyexec-types")

from pyexec.types import bool_, complex128, float32, int8, int32, uint8  # noqa: E402
from pyexec.types.numba_support import init  # noqa: E402

init()  # the entry point registers it when installed; calling it again is harmless


def test_return_uint8_255_in_njit():
    @numba.njit
    def f():
        return uint8(255)

    assert f() == 255
    assert isinstance(f(), (int, np.integer))


def test_casts_inside_njit_wrap_like_numpy():
    @numba.njit
    def cast_all(n):
        return uint8(n), int8(n), int32(n), float32(n), bool_(n % 2 == 0)

    assert cast_all(300) == (44, 44, 300, 300.0, True)
    assert cast_all(200)[1] == -56


def test_complex128_in_njit_mandelbrot():
    @numba.njit
    def mandelbrot(c, max_iter):
        z = complex128(0j)
        for i in range(max_iter):
            if abs(z) > 2.0:
                return i
            z = z * z + c
        return max_iter

    assert mandelbrot(0j, 50) == 50
    assert mandelbrot(1 + 1j, 50) == 2


def test_entry_point_is_declared_for_numba():
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="numba_extensions") if ep.value.startswith("pyexec.types")]
    assert [ep.value for ep in eps] == ["pyexec.types.numba_support:init"]
