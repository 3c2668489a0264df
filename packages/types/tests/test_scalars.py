"""The scalar types cast exactly like NumPy's, and are understood as annotations."""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyexec.types import ALL_TYPES, SCALARS, bool_, float32, int8, int64, scalar_type_of, uint8, uint64

INTEGER_TYPES = [t for t in ALL_TYPES.values() if t.info.is_integer]


def numpy_cast(value, dtype):
    """The oracle: NumPy's array cast (which wraps, unlike NumPy 2's scalar constructors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(value).astype(dtype)[()]


def test_uint8_of_300_wraps_to_44():
    assert uint8(300) == 44
    assert type(uint8(300)) is np.uint8


def test_int8_wraps_into_negative_range():
    assert int8(200) == -56
    assert int8(-129) == 127


def test_bool_of_an_even_test():
    n = 10
    assert bool_(n % 2 == 0) is np.True_
    assert bool_(0) is np.False_
    assert bool_(float("nan")) is np.True_


def test_calling_without_argument_gives_zero_like_numpy():
    for t in ALL_TYPES.values():
        assert t() == t.numpy_type()


@pytest.mark.parametrize("scalar", INTEGER_TYPES, ids=lambda t: t.name)
@given(value=st.integers(min_value=-(2**63), max_value=2**64 - 1))
def test_integer_casts_from_int_match_numpy(scalar, value):
    expected = numpy_cast(np.uint64(value) if value >= 0 else np.int64(value), scalar.dtype)
    got = scalar(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("scalar", INTEGER_TYPES, ids=lambda t: t.name)
def test_integer_casts_wrap_python_ints_beyond_64_bits(scalar):
    big = 2**70 + 5
    assert scalar(big) == scalar(5)


@pytest.mark.parametrize("scalar", INTEGER_TYPES, ids=lambda t: t.name)
@given(value=st.floats(min_value=-1e3, max_value=1e3, allow_nan=False))
def test_integer_casts_from_float_truncate_like_numpy(scalar, value):
    if scalar.info.kind == "uint" and value < 0:
        return  # NumPy leaves negative float → unsigned platform-defined
    assert scalar(value) == numpy_cast(value, scalar.dtype)


@pytest.mark.parametrize("name", ["float32", "float64", "complex64", "complex128"])
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_float_and_complex_casts_match_numpy(name, value):
    got = ALL_TYPES[name](value)
    expected = numpy_cast(value, ALL_TYPES[name].dtype)
    assert type(got) is type(expected)
    assert (got == expected) or (np.isnan(got) and np.isnan(expected))


def test_float32_rounds_to_nearest_single():
    assert float32(0.1) == np.float32(0.1)
    assert float32(1e40) == np.float32(np.inf)


def test_arrays_cast_elementwise():
    out = uint8(np.array([255, 256, 300]))
    assert out.dtype == np.uint8 and out.tolist() == [255, 0, 44]


def test_isinstance_checks_the_numpy_type():
    assert isinstance(uint8(3), uint8)
    assert not isinstance(3, uint8)
    assert isinstance(np.int64(3), int64)


def test_types_work_as_annotations():
    def clamp_color(value: int64) -> uint8:
        return uint8(value)

    hints = clamp_color.__annotations__
    assert hints["value"] is int64 and hints["return"] is uint8
    assert scalar_type_of(hints["return"]).c_type == "uint8_t"


@pytest.mark.parametrize(
    ("annotation", "name"),
    [(int, "int64"), (float, "float64"), (bool, "bool_"), (complex, "complex128"), (np.uint8, "uint8"),
     (np.bool_, "bool_"), ("int32", "int32"), ("float", "float64"), (uint64, "uint64")],
)
def test_scalar_type_of_understands_builtins_numpy_and_names(annotation, name):
    assert scalar_type_of(annotation).name == name


def test_scalar_type_of_returns_none_for_other_things():
    assert scalar_type_of(list) is None and scalar_type_of("str") is None and scalar_type_of(3) is None


def test_repr_and_pickle_keep_identity():
    import pickle

    assert repr(uint8) == "pyexec.types.uint8"
    assert pickle.loads(pickle.dumps(uint8)) is uint8


def test_every_table_row_has_a_type_object():
    assert set(SCALARS) == set(ALL_TYPES)
    assert math.isclose(float(ALL_TYPES["float64"](1.5)), 1.5)


def test_importing_the_types_does_not_import_numba():
    code = "import sys, pyexec.types; print('numba' in sys.modules or 'llvmlite' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
