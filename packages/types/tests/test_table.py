"""The table says the same as NumPy, C and LLVM about every scalar type."""

import numpy as np
import pytest

from pyexec.types import BUILTIN_ALIASES, SCALARS, lookup


@pytest.mark.parametrize("info", SCALARS.values(), ids=lambda i: i.name)
def test_width_and_signedness_agree_with_numpy(info):
    dtype = np.dtype(info.numpy_dtype)
    if info.is_bool:
        assert dtype.itemsize == 1
        return
    assert dtype.itemsize * 8 == info.bits
    if info.is_integer:
        assert np.iinfo(dtype).min == info.min_value
        assert np.iinfo(dtype).max == info.max_value
        assert info.signed == (np.iinfo(dtype).min < 0)


@pytest.mark.parametrize(
    ("name", "c_type", "llvm", "wasm"),
    [
        ("int8", "int8_t", "i8", "i32"),
        ("int64", "int64_t", "i64", "i64"),
        ("uint8", "uint8_t", "i8", "i32"),
        ("uint32", "uint32_t", "i32", "i32"),
        ("uint64", "uint64_t", "i64", "i64"),
        ("float32", "float", "float", "f32"),
        ("float64", "double", "double", "f64"),
        ("bool_", "bool", "i1", "i32"),
        ("complex128", "double _Complex", "{double, double}", None),
    ],
)
def test_backend_names(name, c_type, llvm, wasm):
    info = SCALARS[name]
    assert (info.c_type, info.llvm_type, info.wasm_type) == (c_type, llvm, wasm)


def test_builtins_map_to_their_scalar_types():
    assert {t.__name__: i.name for t, i in BUILTIN_ALIASES.items()} == {
        "int": "int64", "float": "float64", "bool": "bool_", "complex": "complex128",
    }


def test_lookup_accepts_both_spellings_and_names_the_known_ones_on_error():
    assert lookup("int").name == "int64" and lookup("uint16").bits == 16
    with pytest.raises(KeyError, match="known: int8"):
        lookup("int128")


def test_complex_crosses_wasm_boundaries_as_two_floats():
    assert SCALARS["complex64"].wasm_parts == ("f32", "f32")
