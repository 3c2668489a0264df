"""``@`` on arrays of different dtypes gives what NumPy gives (dtype and values)."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.backends.jit import jit

matmul = jit(lambda a, b: a @ b)

CASES = [
    (np.eye(2), np.array([[1, 2], [3, 4]])),
    (np.array([[1, 2], [3, 4]], dtype=np.int32), np.array([[5, -6], [7, 8]])),
    (np.arange(3), np.arange(3, dtype=np.int32)),
    (np.arange(6).reshape(2, 3), np.arange(3, dtype=np.int8)),
    (np.arange(2, dtype=np.int16), np.arange(6).reshape(2, 3)),
    (np.arange(3.0), np.arange(3)),
    (np.ones((2, 2), np.complex128), np.ones((2, 2))),
    (np.ones((2, 3), np.float32), np.ones((3, 2))),
]


@pytest.mark.parametrize(("a", "b"), CASES)
def test_mixed_dtype_product_matches_numpy(a, b):
    got, expected = matmul(a, b), a @ b
    assert np.asarray(got).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(got, expected)


def test_mismatched_inner_dimensions_raise_value_error_like_numpy():
    with pytest.raises(ValueError, match="mismatch in its core dimension"):
        matmul(np.ones((2, 3), np.int32), np.ones((2, 3), np.int64))
