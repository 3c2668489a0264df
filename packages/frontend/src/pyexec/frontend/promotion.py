"""Numeric promotion: the type of ``a <op> b`` from the types of ``a`` and ``b``.

Python's rules for the builtins, NumPy 2's (NEP 50) for the fixed widths. A *weak* operand
is a Python number whose type NumPy does not let win over a NumPy type: an ``int`` (a literal,
a folded module constant, or a variable annotated ``int``), a ``float`` literal or constant,
a ``complex`` literal or constant. A weak operand takes the type of a strong operand of the same
or a higher kind (``int < float < complex``); see docs/frontend.md for the whole table.

Example:
    >>> from pyexec.frontend.ir.types import INT, INT8, INT32, UINT32, FLOAT32
    >>> str(promote(INT8, False, INT32, False)[0]), str(promote(INT32, False, UINT32, False)[0])
    ('int32', 'int64')
    >>> str(promote(FLOAT32, False, INT, True)[0])
    'float32'
"""

from __future__ import annotations

from pyexec.frontend.ir.types import (
    BY_NAME,
    COMPLEX64,
    COMPLEX128,
    FLOAT32,
    FLOAT64,
    INT,
    ScalarT,
)

_RANK = {"bool": 0, "int": 1, "uint": 1, "float": 2, "complex": 3}


def category(t: ScalarT) -> int:
    """0 bool, 1 integer, 2 float, 3 complex.

    Example:
        >>> category(FLOAT32)
        2
    """
    return _RANK[t.kind]


def _int_type(bits: int, signed: bool) -> ScalarT:
    t = BY_NAME[f"{'' if signed else 'u'}int{bits}"]
    assert isinstance(t, ScalarT)
    return t


def _strong(a: ScalarT, b: ScalarT) -> ScalarT:
    """NumPy's promotion of two NumPy-typed (strong) operands, neither of them bool."""
    if a == b:
        return a
    ca, cb = category(a), category(b)
    if ca > cb:
        a, b, ca, cb = b, a, cb, ca
    if ca == 1 and cb == 1:
        if a.kind == b.kind:
            return a if a.bits >= b.bits else b
        signed, unsigned = (a, b) if a.kind == "int" else (b, a)
        if signed.bits > unsigned.bits:
            return signed
        if unsigned.bits == 64:
            return FLOAT64
        return _int_type(unsigned.bits * 2, True)
    small_int = ca == 1 and a.bits <= 16
    if cb == 2:  # a is an int or a float
        if b == FLOAT64 or (ca == 2 and a == FLOAT64):
            return FLOAT64
        return FLOAT32 if (small_int or ca == 2) else FLOAT64
    # b is complex
    if b == COMPLEX128:
        return COMPLEX128
    if ca == 3:
        return COMPLEX128 if COMPLEX128 in (a, b) else COMPLEX64
    if small_int or a == FLOAT32:
        return COMPLEX64
    return COMPLEX128


_PYTHON_DEFAULT = {1: INT, 2: FLOAT64, 3: COMPLEX128}


def promote(a: ScalarT, a_weak: bool, b: ScalarT, b_weak: bool) -> tuple[ScalarT, bool]:
    """The common type of two arithmetic operands and whether the result is weak.

    Bools must have been turned into ``int`` by the caller (``True + 1`` is ``int`` arithmetic).

    Example:
        >>> from pyexec.frontend.ir.types import UINT8
        >>> str(promote(UINT8, False, INT, True)[0])
        'uint8'
    """
    a_weak = a_weak or a == INT
    b_weak = b_weak or b == INT
    if a_weak and b_weak:
        return _PYTHON_DEFAULT[max(category(a), category(b))], True
    if not a_weak and not b_weak:
        return _strong(a, b), False
    if a_weak and a.is_complex and b == FLOAT64:
        # CPython, not NumPy: np.float64 subclasses Python's float, so `1j + np.float64(2)` is
        # complex.__add__ and gives a Python complex (weak); the other order gives np.complex128
        return COMPLEX128, True
    weak, strong = (a, b) if a_weak else (b, a)
    cw, cs = category(weak), category(strong)
    if cw <= cs:
        return strong, False
    if cw == 2:  # a Python float with a NumPy integer
        return FLOAT64, False
    # a Python complex with a NumPy integer or float
    return (COMPLEX64 if strong == FLOAT32 else COMPLEX128), False
