"""Complete annotations → one Numba signature, so the JIT computes with the types the user declared.

A function whose every parameter (none with a default value) and whose return value are annotated
with scalar types (``int``, ``float``, ``bool``, ``complex``, pyexec's ``int8``…``complex128``,
NumPy's scalar classes, or their names as strings) gets exactly one signature: arguments are
converted to the declared types and the result to the declared return type (``int8 + int8 -> int8``
wraps to -56 for 100 + 100, as CPython with NumPy and ``aot`` give). Any other function keeps
Numba's per-call type inference.

Example:
    >>> from pyexec.types import int8
    >>> def add(a: int8, b: int8) -> int8:
    ...     return a + b
    >>> str(declared_signature(add).signature)
    '(int8, int8) -> int8'
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IntegerParameter:
    """A parameter declared as a fixed-width integer: a Python int argument must fit its range."""

    index: int
    name: str
    type_name: str
    low: int
    high: int


@dataclass(frozen=True)
class DeclaredSignature:
    """The Numba signature a function's annotations declare, and the range of each integer parameter."""

    signature: Any
    integer_parameters: tuple[IntegerParameter, ...]


def _annotations(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return inspect.get_annotations(func, eval_str=True)
    except Exception:  # a string annotation naming something absent: read the strings as written
        return inspect.get_annotations(func)


def _numba_type(annotation: Any) -> tuple[Any, Any]:
    """The Numba type and :class:`ScalarInfo` of a scalar annotation (``None``: Numba's none, no info).

    Raises KeyError for an annotation that is not a scalar type.
    """
    import numpy as np
    from numba.core import types
    from numba.np.numpy_support import from_dtype

    from pyexec.types.scalars import scalar_type_of

    if annotation is None or annotation == "None" or annotation is type(None):
        return types.none, None
    info = scalar_type_of(annotation)
    if info is None:
        raise KeyError(annotation)
    return from_dtype(np.dtype(info.numpy_dtype)), info


def declared_signature(func: Callable[..., Any]) -> DeclaredSignature | None:
    """The signature ``func``'s annotations declare, or None when they are incomplete or not all scalars.

    Example:
        >>> declared_signature(lambda x: x) is None
        True
    """
    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return None
    annotations = _annotations(func)
    if "return" not in annotations:
        return None
    arg_types = []
    integer_parameters = []
    for index, parameter in enumerate(parameters):
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            return None
        if parameter.default is not parameter.empty:
            # Numba types an omitted argument by its default value, which one fixed signature cannot match.
            return None
        if parameter.name not in annotations:
            return None
        try:
            numba_type, info = _numba_type(annotations[parameter.name])
        except (KeyError, TypeError, ValueError):
            return None
        if info is None:
            return None
        if info.is_integer:
            low, high = ((-(1 << (info.bits - 1)), (1 << (info.bits - 1)) - 1) if info.signed
                         else (0, (1 << info.bits) - 1))
            integer_parameters.append(IntegerParameter(index, parameter.name, info.name, low, high))
        arg_types.append(numba_type)
    try:
        return_type, _ = _numba_type(annotations["return"])
    except (KeyError, TypeError, ValueError):
        return None
    return DeclaredSignature(return_type(*arg_types), tuple(integer_parameters))
