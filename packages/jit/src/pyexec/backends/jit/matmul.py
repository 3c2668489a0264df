"""``@`` between arrays of different dtypes inside JIT code, as NumPy computes it.

Numba's own ``@`` requires both operands to share one float or complex dtype, so
``np.eye(2) @ np.array([[1, 1], [1, 0]])`` (float64 @ int64, the seed's matrix
power) does not compile. This overload, consulted only when Numba's rejects the
operands, promotes both to NumPy's common dtype first: float and complex results
go through Numba's BLAS product (SciPy), integer ones through a plain loop.

Example:
    >>> import numpy as np
    >>> from pyexec.backends.jit import jit
    >>> jit(lambda a, b: a @ b)(np.eye(2), np.array([[1, 2], [3, 4]])).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
"""

from __future__ import annotations

import operator
from typing import Any

_registered = False


def _integer_matmul(a: Any, b: Any, out: Any) -> Any:
    if a.shape[1] != b.shape[0]:
        raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0")
    out[:] = 0
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            for p in range(a.shape[1]):
                out[i, j] += a[i, p] * b[p, j]
    return out


def register() -> None:
    """Register the mixed-dtype ``@`` with Numba (idempotent; ``jit`` calls it)."""
    global _registered
    if _registered:
        return
    import numpy as np
    from numba import njit, types
    from numba.core.errors import TypingError
    from numba.extending import overload
    from numba.np.numpy_support import as_dtype

    integer_kernel = njit(_integer_matmul)

    @overload(operator.matmul)
    def _mixed_dtype_matmul(a, b):  # Numba matches these names (unannotated) with the implementations'
        if not (isinstance(a, types.Array) and isinstance(b, types.Array)) or a.dtype == b.dtype:
            return None
        if a.ndim not in (1, 2) or b.ndim not in (1, 2):
            raise TypingError("'@' in JIT code supports 1-D and 2-D arrays")
        common = np.promote_types(as_dtype(a.dtype), as_dtype(b.dtype))
        if common.kind in "fc":
            def blas_impl(a, b):
                return np.dot(np.ascontiguousarray(a).astype(common), np.ascontiguousarray(b).astype(common))

            return blas_impl

        def loop_impl(a, b):
            return integer_kernel(a.astype(common), b.astype(common), np.empty((a.shape[0], b.shape[1]), common))

        def as_row(v: Any) -> Any:
            return np.ascontiguousarray(v).reshape((1, v.shape[0]))

        def as_column(v: Any) -> Any:
            return np.ascontiguousarray(v).reshape((v.shape[0], 1))

        loop = njit(loop_impl)
        row, column = njit(as_row), njit(as_column)
        if a.ndim == 1 and b.ndim == 1:
            return lambda a, b: loop(row(a), column(b))[0, 0]
        if a.ndim == 1:
            return lambda a, b: loop(row(a), b)[0]
        if b.ndim == 1:
            return lambda a, b: loop(a, column(b))[:, 0]
        return loop_impl

    _registered = True
