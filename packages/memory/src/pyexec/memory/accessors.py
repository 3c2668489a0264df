"""Numba-compiled reads and writes of little-endian scalars at a byte offset of a heap's ``memory``.

Each function takes the ``uint8`` array (``mm.memory``) and a byte offset, checks the bounds (an offset
outside the array raises ``IndexError`` rather than touching foreign memory) and works both from Python
and from inside other ``@njit`` functions. Offsets need no alignment. Writes of out-of-range integers
wrap to the field's width, as NumPy's fixed-width integers do.

Example:
    >>> import numpy as np
    >>> from pyexec.memory.accessors import read_i64, write_i64
    >>> memory = np.zeros(32, np.uint8)
    >>> write_i64(memory, 8, -5)
    >>> read_i64(memory, 8)
    -5
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _check_bounds(memory: np.ndarray, offset: int, width: int) -> None:
    if offset < 0 or offset > memory.size - width:
        raise IndexError("pyexec.memory accessor: the offset is outside the memory buffer")


@njit(cache=True, nogil=True)
def read_i8(memory: np.ndarray, offset: int) -> int:
    """Read the signed 8-bit integer at ``memory[offset:offset+1]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i8(memory, 3, -1)
        >>> read_i8(memory, 3)
        -1
    """
    _check_bounds(memory, offset, 1)
    return memory[offset : offset + 1].view(np.int8)[0]


@njit(cache=True, nogil=True)
def write_i8(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as a signed 8-bit integer at ``memory[offset:offset+1]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i8(memory, 0, -1); read_i8(memory, 0)
        -1
    """
    _check_bounds(memory, offset, 1)
    memory[offset : offset + 1].view(np.int8)[0] = value


@njit(cache=True, nogil=True)
def read_u8(memory: np.ndarray, offset: int) -> int:
    """Read the unsigned 8-bit integer at ``memory[offset:offset+1]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u8(memory, 3, 255)
        >>> read_u8(memory, 3)
        255
    """
    _check_bounds(memory, offset, 1)
    return memory[offset : offset + 1].view(np.uint8)[0]


@njit(cache=True, nogil=True)
def write_u8(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as an unsigned 8-bit integer at ``memory[offset:offset+1]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u8(memory, 0, 255); read_u8(memory, 0)
        255
    """
    _check_bounds(memory, offset, 1)
    memory[offset : offset + 1].view(np.uint8)[0] = value


@njit(cache=True, nogil=True)
def read_i16(memory: np.ndarray, offset: int) -> int:
    """Read the signed 16-bit integer at ``memory[offset:offset+2]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i16(memory, 3, -2)
        >>> read_i16(memory, 3)
        -2
    """
    _check_bounds(memory, offset, 2)
    return memory[offset : offset + 2].view(np.int16)[0]


@njit(cache=True, nogil=True)
def write_i16(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as a signed 16-bit integer at ``memory[offset:offset+2]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i16(memory, 0, -2); read_i16(memory, 0)
        -2
    """
    _check_bounds(memory, offset, 2)
    memory[offset : offset + 2].view(np.int16)[0] = value


@njit(cache=True, nogil=True)
def read_u16(memory: np.ndarray, offset: int) -> int:
    """Read the unsigned 16-bit integer at ``memory[offset:offset+2]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u16(memory, 3, 65535)
        >>> read_u16(memory, 3)
        65535
    """
    _check_bounds(memory, offset, 2)
    return memory[offset : offset + 2].view(np.uint16)[0]


@njit(cache=True, nogil=True)
def write_u16(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as an unsigned 16-bit integer at ``memory[offset:offset+2]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u16(memory, 0, 65535); read_u16(memory, 0)
        65535
    """
    _check_bounds(memory, offset, 2)
    memory[offset : offset + 2].view(np.uint16)[0] = value


@njit(cache=True, nogil=True)
def read_i32(memory: np.ndarray, offset: int) -> int:
    """Read the signed 32-bit integer at ``memory[offset:offset+4]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i32(memory, 3, 42)
        >>> read_i32(memory, 3)
        42
    """
    _check_bounds(memory, offset, 4)
    return memory[offset : offset + 4].view(np.int32)[0]


@njit(cache=True, nogil=True)
def write_i32(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as a signed 32-bit integer at ``memory[offset:offset+4]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i32(memory, 0, 42); read_i32(memory, 0)
        42
    """
    _check_bounds(memory, offset, 4)
    memory[offset : offset + 4].view(np.int32)[0] = value


@njit(cache=True, nogil=True)
def read_u32(memory: np.ndarray, offset: int) -> int:
    """Read the unsigned 32-bit integer at ``memory[offset:offset+4]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u32(memory, 3, 4000000000)
        >>> read_u32(memory, 3)
        4000000000
    """
    _check_bounds(memory, offset, 4)
    return memory[offset : offset + 4].view(np.uint32)[0]


@njit(cache=True, nogil=True)
def write_u32(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as an unsigned 32-bit integer at ``memory[offset:offset+4]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u32(memory, 0, 4000000000); read_u32(memory, 0)
        4000000000
    """
    _check_bounds(memory, offset, 4)
    memory[offset : offset + 4].view(np.uint32)[0] = value


@njit(cache=True, nogil=True)
def read_i64(memory: np.ndarray, offset: int) -> int:
    """Read the signed 64-bit integer at ``memory[offset:offset+8]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i64(memory, 3, -9223372036854775808)
        >>> read_i64(memory, 3)
        -9223372036854775808
    """
    _check_bounds(memory, offset, 8)
    return memory[offset : offset + 8].view(np.int64)[0]


@njit(cache=True, nogil=True)
def write_i64(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as a signed 64-bit integer at ``memory[offset:offset+8]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_i64(memory, 0, -9223372036854775808); read_i64(memory, 0)
        -9223372036854775808
    """
    _check_bounds(memory, offset, 8)
    memory[offset : offset + 8].view(np.int64)[0] = value


@njit(cache=True, nogil=True)
def read_u64(memory: np.ndarray, offset: int) -> int:
    """Read the unsigned 64-bit integer at ``memory[offset:offset+8]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u64(memory, 3, 18446744073709551615)
        >>> read_u64(memory, 3)
        18446744073709551615
    """
    _check_bounds(memory, offset, 8)
    return memory[offset : offset + 8].view(np.uint64)[0]


# Typed explicitly: otherwise a first call with a small int compiles an int64 ``value`` and a later
# value above 2**63 - 1 fails to convert.
@njit(["void(uint8[::1], int64, uint64)", "void(uint8[:], int64, uint64)"], cache=True, nogil=True)
def write_u64(memory: np.ndarray, offset: int, value: int) -> None:
    """Write ``value`` as an unsigned 64-bit integer at ``memory[offset:offset+8]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_u64(memory, 0, 18446744073709551615); read_u64(memory, 0)
        18446744073709551615
    """
    _check_bounds(memory, offset, 8)
    memory[offset : offset + 8].view(np.uint64)[0] = value


@njit(cache=True, nogil=True)
def read_f32(memory: np.ndarray, offset: int) -> float:
    """Read the 32-bit float at ``memory[offset:offset+4]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_f32(memory, 3, 1.5)
        >>> read_f32(memory, 3)
        1.5
    """
    _check_bounds(memory, offset, 4)
    return memory[offset : offset + 4].view(np.float32)[0]


@njit(cache=True, nogil=True)
def write_f32(memory: np.ndarray, offset: int, value: float) -> None:
    """Write ``value`` as a 32-bit float at ``memory[offset:offset+4]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_f32(memory, 0, 1.5); read_f32(memory, 0)
        1.5
    """
    _check_bounds(memory, offset, 4)
    memory[offset : offset + 4].view(np.float32)[0] = value


@njit(cache=True, nogil=True)
def read_f64(memory: np.ndarray, offset: int) -> float:
    """Read the 64-bit float at ``memory[offset:offset+8]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_f64(memory, 3, -0.25)
        >>> read_f64(memory, 3)
        -0.25
    """
    _check_bounds(memory, offset, 8)
    return memory[offset : offset + 8].view(np.float64)[0]


@njit(cache=True, nogil=True)
def write_f64(memory: np.ndarray, offset: int, value: float) -> None:
    """Write ``value`` as a 64-bit float at ``memory[offset:offset+8]``.

    Example:
        >>> import numpy as np
        >>> memory = np.zeros(16, np.uint8)
        >>> write_f64(memory, 0, -0.25); read_f64(memory, 0)
        -0.25
    """
    _check_bounds(memory, offset, 8)
    memory[offset : offset + 8].view(np.float64)[0] = value


ACCESSORS = {
    "read_i8": read_i8,
    "write_i8": write_i8,
    "read_u8": read_u8,
    "write_u8": write_u8,
    "read_i16": read_i16,
    "write_i16": write_i16,
    "read_u16": read_u16,
    "write_u16": write_u16,
    "read_i32": read_i32,
    "write_i32": write_i32,
    "read_u32": read_u32,
    "write_u32": write_u32,
    "read_i64": read_i64,
    "write_i64": write_i64,
    "read_u64": read_u64,
    "write_u64": write_u64,
    "read_f32": read_f32,
    "write_f32": write_f32,
    "read_f64": read_f64,
    "write_f64": write_f64,
}
"""Every accessor by name."""
