"""Exact conversions of constant values between scalar types (the only constant folding done).

Example:
    >>> from pyexec.frontend.ir.types import UINT8, FLOAT32
    >>> fold_cast(300, UINT8), fold_cast(0.1, FLOAT32)
    (44, 0.10000000149011612)
"""

from __future__ import annotations

import math
import struct

from pyexec.frontend.ir.types import INT, ScalarT

Number = int | float | bool | complex


def _float32(x: float) -> float | None:
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return None


def fits(value: int, t: ScalarT) -> bool:
    """Whether an integer value is in the range of an integer type.

    Example:
        >>> from pyexec.frontend.ir.types import INT8
        >>> fits(127, INT8), fits(128, INT8)
        (True, False)
    """
    lo, hi = t.info.min_value, t.info.max_value
    return lo is not None and hi is not None and lo <= value <= hi


def fold_cast(value: Number, t: ScalarT) -> Number | None:
    """``value`` converted to ``t`` exactly as the cast would at run time, or None when the cast
    must stay (it may raise, or its result is platform-defined)."""
    if t.is_bool:
        return bool(value)
    if isinstance(value, complex):
        if not t.is_complex:
            return None
        if t.bits == 64:
            re, im = _float32(value.real), _float32(value.imag)
            return None if re is None or im is None else complex(re, im)
        return value
    if t.is_integer:
        if isinstance(value, float):
            if t != INT or not math.isfinite(value):
                return None
            result = int(value)
            return result if fits(result, t) else None
        wrapped = int(value) & ((1 << t.bits) - 1)
        if t.info.signed and wrapped >= 1 << (t.bits - 1):
            wrapped -= 1 << t.bits
        if t == INT and wrapped != int(value):
            return None
        return wrapped
    if t.is_float:
        as_float = float(value)
        return _float32(as_float) if t.bits == 32 else as_float
    if t.is_complex:
        as_complex = complex(value)
        return fold_cast(as_complex, t)
    return None
