"""The Unicode tables of compiled string methods, generated from CPython's own ``str`` methods.

Compiled ``upper``/``lower`` and ``isdigit``/``isalpha``/``isspace`` must answer as CPython does, so the
tables are not written by hand: :func:`generate` asks the running Python, code point by code point
(``chr(c).upper()``, ``chr(c).isalpha()``, ...), and compresses the answers into ranges.
``string_unicode.json`` beside this module holds the result for the Unicode version named in it
(:data:`UNICODE_VERSION`); ``python scripts/string_unicode_tables.py`` regenerates it. Code compiled
with these tables follows that Unicode version; a Python with another ``unicodedata.unidata_version``
may answer differently for the code points that version changed.

Tables (each a list, sorted by first code point):

- ``upper``/``lower``: simple mappings as ``[first, last, step, delta]`` (each ``c`` in
  ``range(first, last + 1, step)`` maps to ``c + delta``); ``upper_special``/``lower_special``: code
  points whose mapping is several code points (``'ß'.upper() == 'SS'``), ``[c, [c1, c2, ...]]``.
- ``digit``, ``alpha``, ``space``: ``[first, last]`` ranges where the predicate holds.
- ``cased`` and ``case_ignorable``: the properties CPython's ``lower`` reads for the final sigma
  (``'ΑΣ'.lower() == 'ας'``); ``cased`` lists only code points that are not case-ignorable, the only
  ones the rule asks about.

Example:
    >>> tables = load_tables()
    >>> [0xDF, [0x53, 0x53]] in tables["upper_special"]
    True
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

TABLES_PATH = Path(__file__).with_name("string_unicode.json")
MAX_CODE_POINT = 0x10FFFF


def _code_points() -> range:
    return range(MAX_CODE_POINT + 1)


def _is_surrogate(c: int) -> bool:
    return 0xD800 <= c <= 0xDFFF


def _ranges(pred: Callable[[str], bool]) -> list[list[int]]:
    out: list[list[int]] = []
    start = None
    for c in _code_points():
        ok = not _is_surrogate(c) and pred(chr(c))
        if ok and start is None:
            start = c
        elif not ok and start is not None:
            out.append([start, c - 1])
            start = None
    if start is not None:
        out.append([start, MAX_CODE_POINT])
    return out


def _mapping(fn: Callable[[str], str]) -> tuple[list[list[int]], list[list[Any]]]:
    runs: list[list[int]] = []
    special: list[list[Any]] = []
    for c in _code_points():
        if _is_surrogate(c):
            continue
        m = fn(chr(c))
        if m == chr(c):
            continue
        if len(m) > 1:
            special.append([c, [ord(x) for x in m]])
            continue
        delta = ord(m) - c
        if runs:
            first, last, step, d = runs[-1]
            # Extend a run with the same delta and stride (1 for blocks, 2 for alternating pairs).
            if d == delta and ((first == last and c - last in (1, 2)) or (first != last and c - last == step)):
                runs[-1] = [first, c, c - last, d]
                continue
        runs.append([c, c, 1, delta])
    return runs, special


def generate() -> dict[str, Any]:
    """The tables as the running Python's ``str`` methods define them (a few seconds)."""
    upper, upper_special = _mapping(str.upper)
    lower, lower_special = _mapping(str.lower)
    # Final sigma probes: for a preceding ch, 'A' + ch + 'Σ' lowers to a final ς when ch is
    # case-ignorable (skipped, then 'A' is cased) or cased; 'AΣ' + ch keeps ς when ch is
    # case-ignorable or not cased. Together they separate the two properties.
    before = _ranges(lambda ch: ("A" + ch + "Σ").lower()[-1] == "ς")
    after = _ranges(lambda ch: ("AΣ" + ch).lower()[1] == "ς")
    in_before, in_after = _membership(before), _membership(after)
    ignorable = _ranges(lambda ch: in_before(ord(ch)) and in_after(ord(ch)))
    cased = _ranges(lambda ch: in_before(ord(ch)) and not in_after(ord(ch)))
    return {
        "unicode_version": unicodedata.unidata_version,
        "upper": upper, "upper_special": upper_special,
        "lower": lower, "lower_special": lower_special,
        "digit": _ranges(str.isdigit), "alpha": _ranges(str.isalpha), "space": _ranges(str.isspace),
        "cased": cased, "case_ignorable": ignorable,
    }


def _membership(ranges: list[list[int]]) -> Callable[[int], bool]:
    points = set()
    for first, last in ranges:
        points.update(range(first, last + 1))
    return points.__contains__


@cache
def load_tables() -> dict[str, Any]:
    """The checked-in tables (``string_unicode.json``)."""
    with open(TABLES_PATH, encoding="utf-8") as f:
        return json.load(f)


def write_tables(path: Path = TABLES_PATH) -> None:
    """Regenerate ``string_unicode.json`` from the running Python."""
    path.write_text(json.dumps(generate(), separators=(",", ":")) + "\n", encoding="utf-8")


UNICODE_VERSION = "14.0.0"
"""The Unicode version of the checked-in tables (CPython 3.11's ``unicodedata.unidata_version``)."""

__all__ = ["TABLES_PATH", "UNICODE_VERSION", "generate", "load_tables", "write_tables"]
