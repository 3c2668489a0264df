"""The string method routines (``pyexec_str_*``), JIT-ed alone and called on blocks built with ctypes,
against CPython's ``str`` methods on hypothesis-generated text (non-ASCII, emoji, empty).

They run in a child process (``string_jit.RuntimeWorker``) so that a fault is a failed test.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from string_jit import RuntimeWorker

from pyexec.backends.llvm.string_unicode import UNICODE_VERSION, generate, load_tables

INT64_MAX = 2**63 - 1
# Text without surrogates (UTF-8 cannot hold them; the boundary refuses them before any routine runs).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
ALPHABET = st.sampled_from("aAbß ΣσςΑ.'\u0345\u00a0\u2003é😀İ1١\t")
SMALL_TEXT = st.text(ALPHABET, max_size=10)
ANY_TEXT = st.one_of(TEXT, SMALL_TEXT)
INDEX = st.one_of(st.integers(-12, 12), st.sampled_from([-(2**63), INT64_MAX]))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def rt() -> Iterator[RuntimeWorker]:
    worker = RuntimeWorker()
    yield worker
    worker.close()


@FAST
@given(ANY_TEXT)
def test_upper_and_lower_match_cpython_including_special_casing_and_final_sigma(rt, s):
    assert rt("upper", s) == s.upper()
    assert rt("lower", s) == s.lower()


@pytest.mark.parametrize("s", ["ß", "ŉ", "ﬃ", "ΑΣ", "ΑΣ.", "Σ", "ΑΣΑ", "Α'Σ'", "İ", "ǅ", "😀ab", ""])
def test_case_mapping_edge_cases(rt, s):
    assert (rt("upper", s), rt("lower", s)) == (s.upper(), s.lower())


@FAST
@given(ANY_TEXT, st.one_of(st.none(), SMALL_TEXT))
def test_strip_lstrip_rstrip_match_cpython_with_and_without_chars(rt, s, chars):
    assert rt("strip", s, chars, 3) == s.strip(chars)
    assert rt("strip", s, chars, 1) == s.lstrip(chars)
    assert rt("strip", s, chars, 2) == s.rstrip(chars)


@FAST
@given(SMALL_TEXT, SMALL_TEXT, INDEX, INDEX)
def test_startswith_endswith_find_count_follow_slice_rules(rt, s, x, start, end):
    assert bool(rt("startswith", s, x, start, end)) == s.startswith(x, start, end)
    assert bool(rt("endswith", s, x, start, end)) == s.endswith(x, start, end)
    assert rt("find", s, x, start, end) == s.find(x, start, end)
    assert rt("count", s, x, start, end) == s.count(x, start, end)


@FAST
@given(ANY_TEXT, st.one_of(SMALL_TEXT, ANY_TEXT))
def test_find_and_count_without_bounds_return_code_point_indices(rt, s, sub):
    assert rt("find", s, sub, 0, INT64_MAX) == s.find(sub)
    assert rt("count", s, sub, 0, INT64_MAX) == s.count(sub)


@FAST
@given(SMALL_TEXT, st.text(ALPHABET, max_size=2), SMALL_TEXT, st.integers(-1, 12))
def test_replace_matches_cpython_with_and_without_count_and_for_an_empty_old(rt, s, old, new, count):
    assert rt("replace", s, old, new, count) == s.replace(old, new, count)


@FAST
@given(ANY_TEXT)
def test_isdigit_isalpha_isspace_match_cpython(rt, s):
    assert (rt("isdigit", s), rt("isalpha", s), rt("isspace", s)) == (s.isdigit(), s.isalpha(), s.isspace())


@pytest.mark.parametrize("s", ["", "0", "²", "١٢٣", "a1", "\x1c\x1f \u3000", "\u200b", "ǅ", "Ⅻ", "\U0001d7ce"])
def test_predicates_on_edge_code_points(rt, s):
    assert (rt("isdigit", s), rt("isalpha", s), rt("isspace", s)) == (s.isdigit(), s.isalpha(), s.isspace())


@FAST
@given(SMALL_TEXT, st.lists(ANY_TEXT, max_size=5))
def test_join_matches_cpython(rt, sep, items):
    assert rt("join", sep, items) == sep.join(items)


def test_no_block_leaks_after_many_calls(rt):
    start = rt.live()
    for _ in range(200):
        rt("replace", "héllo wörld", "l", "LL", -1)
        rt("upper", "straße")
        rt("join", "-", ["a", "é", ""])
        rt("strip", "  x  ", None, 3)
    assert rt.live() == start


def test_routines_run_in_eight_threads_on_small_stacks(rt):
    results = rt("threads", "upper", ["straße ΑΣ"], 8, 200)
    assert results == ["straße ΑΣ".upper()] * 8


def test_checked_in_unicode_tables_are_cpythons_for_their_unicode_version():
    tables = load_tables()
    assert tables["unicode_version"] == UNICODE_VERSION
    if unicodedata.unidata_version != UNICODE_VERSION:
        pytest.skip(f"this Python has Unicode {unicodedata.unidata_version}; the tables are "
                    f"{UNICODE_VERSION} (python {sys.version_info[:2]})")
    assert generate() == tables
