"""LEB128 and section encoding, checked against the specification's examples and by round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.wasm.wasm_binary import (
    MAGIC,
    SECTION_CUSTOM,
    SECTION_TYPE,
    VERSION,
    Reader,
    WasmFormatError,
    decode_sleb,
    decode_uleb,
    encode_sleb,
    encode_uleb,
    read_sections,
    section,
)


def test_uleb_matches_the_specifications_example():
    assert encode_uleb(624485) == bytes([0xE5, 0x8E, 0x26])
    assert decode_uleb(bytes([0xE5, 0x8E, 0x26]), 0) == (624485, 3)


def test_sleb_matches_the_specifications_example():
    assert encode_sleb(-123456) == bytes([0xC0, 0xBB, 0x78])
    assert decode_sleb(bytes([0xC0, 0xBB, 0x78]), 0) == (-123456, 3)


def test_sleb_keeps_the_sign_bit_of_small_positive_values():
    assert encode_sleb(63) == b"\x3f"
    assert encode_sleb(64) == b"\xc0\x00"
    assert encode_sleb(-64) == b"\x40"
    assert encode_sleb(-65) == b"\xbf\x7f"


def test_padded_leb_has_the_requested_width_and_value():
    assert encode_uleb(3, width=5).hex() == "8380808000"
    assert encode_sleb(-1, width=5).hex() == "ffffffff7f"
    assert decode_sleb(encode_sleb(-1, width=5), 0) == (-1, 5)


def test_padding_narrower_than_the_value_is_an_error():
    with pytest.raises(ValueError, match="more than the 1 available"):
        encode_uleb(300, width=1)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**64 - 1), st.sampled_from([0, 10]))
def test_uleb_round_trips(value, width):
    data = encode_uleb(value, width)
    assert decode_uleb(data, 0) == (value, len(data))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from([0, 10]))
def test_sleb_round_trips(value, width):
    data = encode_sleb(value, width)
    assert decode_sleb(data, 0) == (value, len(data))


def test_truncated_leb_is_a_format_error():
    with pytest.raises(WasmFormatError, match="past the end"):
        decode_uleb(b"\x80\x80", 0)


def test_sections_round_trip_with_custom_names():
    module = MAGIC + VERSION + section(SECTION_TYPE, b"\x00") + section(SECTION_CUSTOM, b"xyz", name="hello")
    sections = read_sections(module)
    assert [(s.label, s.payload) for s in sections] == [("TYPE", b"\x00"), ("hello", b"xyz")]


def test_a_file_that_is_not_wasm_is_refused_with_a_clear_message():
    with pytest.raises(WasmFormatError, match="does not start with"):
        read_sections(b"\x7fELF....")


def test_reader_reads_names_and_numbers():
    r = Reader(b"\x03abc\xe5\x8e\x26")
    assert (r.name(), r.u32(), r.at_end()) == ("abc", 624485, True)
