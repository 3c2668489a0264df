"""The Numba-compiled accessors: exact little-endian values, bounds checks, use from Python and from @njit."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from numba import njit

from pyexec import memory as pm
from pyexec.memory import MemoryManager, read_f64, read_i64, write_f64, write_i64

KINDS = {
    "i8": np.int8,
    "u8": np.uint8,
    "i16": np.int16,
    "u16": np.uint16,
    "i32": np.int32,
    "u32": np.uint32,
    "i64": np.int64,
    "u64": np.uint64,
    "f32": np.float32,
    "f64": np.float64,
}


def edge_values(dtype):
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return [int(info.min), int(info.max), 0, 1, -1 if info.min < 0 else 2]
    info = np.finfo(dtype)
    return [0.0, -0.0, 1.5, -2.25, float(info.max), float(info.tiny), math.inf, -math.inf]


@pytest.mark.parametrize("kind", KINDS)
def test_write_then_read_matches_numpy_bytes_at_unaligned_offsets(kind):
    read, write = getattr(pm, f"read_{kind}"), getattr(pm, f"write_{kind}")
    dtype = KINDS[kind]
    memory = np.zeros(64, np.uint8)
    for offset in (0, 1, 3, 7):
        for value in edge_values(dtype):
            write(memory, offset, value)
            width = np.dtype(dtype).itemsize
            expected = np.array([value], dtype=dtype).astype(f"<{np.dtype(dtype).str[1:]}").tobytes()
            assert bytes(memory[offset : offset + width]) == expected
            got = read(memory, offset)
            assert got == value and (math.copysign(1, got) == math.copysign(1, value) if kind[0] == "f" else True)


@pytest.mark.parametrize("kind", ["f32", "f64"])
def test_nan_round_trips(kind):
    memory = np.zeros(16, np.uint8)
    getattr(pm, f"write_{kind}")(memory, 2, math.nan)
    assert math.isnan(getattr(pm, f"read_{kind}")(memory, 2))


def test_integer_writes_wrap_like_numpy():
    memory = np.zeros(16, np.uint8)
    pm.write_i8(memory, 0, 300)
    assert pm.read_i8(memory, 0) == np.int64(300).astype(np.int8)
    pm.write_u32(memory, 0, -1)
    assert pm.read_u32(memory, 0) == 2**32 - 1


@pytest.mark.parametrize("offset", [-1, 57, 64, 2**40])
def test_out_of_bounds_offsets_raise_index_error(offset):
    memory = np.zeros(64, np.uint8)
    with pytest.raises(IndexError, match="outside the memory buffer"):
        read_i64(memory, offset)
    with pytest.raises(IndexError, match="outside the memory buffer"):
        write_i64(memory, offset, 1)


def test_accessors_work_inside_njit_code():
    @njit
    def fill_and_sum(memory, base, n):
        for i in range(n):
            write_i64(memory, base + 8 + i * 8, i * i)
        total = 0
        for i in range(n):
            total += read_i64(memory, base + 8 + i * 8)
        write_f64(memory, base, 0.5)
        return total + read_f64(memory, base)

    mm = MemoryManager(64 * 1024)
    arr = mm.alloc_array(100)
    assert fill_and_sum(mm.memory, arr, 100) == sum(i * i for i in range(100)) + 0.5
    assert read_i64(mm.memory, arr + 8 + 99 * 8) == 99 * 99


def test_bounds_checks_hold_inside_njit_code():
    @njit
    def read_past_end(memory):
        return read_i64(memory, memory.size - 4)

    with pytest.raises(IndexError):
        read_past_end(np.zeros(32, np.uint8))


def test_importing_the_manager_does_not_import_numba():
    code = (
        "import sys, pyexec.memory, pyexec.wasm_memory; pyexec.memory.MemoryManager(4096, native_paths=False); "
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        pm.read_i128  # noqa: B018
