"""The corpus of bad programs (data/bad_programs.txt): each must raise its exact diagnostic.

Each case is compiled alone as ``bad.py``. Its ``# expect:`` line gives the error class, the
line and 1-based column, and a fragment of the message. The corpus is data: add a case by
appending it; the expectation is written by hand (or copied from the printed error after
checking that it is the right one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pyexec.frontend as fe

CORPUS = Path(__file__).parent / "data" / "bad_programs.txt"
_EXPECT = re.compile(r"^# expect: (\w+) (\d+):(\d+) \| (.+)$")


def _cases() -> list[tuple[str, str, str, int, int, str]]:
    text = CORPUS.read_text(encoding="utf-8")
    out = []
    for chunk in re.split(r"^# case: ", text, flags=re.M)[1:]:
        title, _, rest = chunk.partition("\n")
        expect_line, _, source = rest.partition("\n")
        m = _EXPECT.match(expect_line)
        assert m, f"case {title!r} has no '# expect:' line"
        out.append((title, source, m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    return out


CASES = _cases()


def test_the_corpus_has_at_least_80_cases() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize(("title", "source", "cls", "line", "col", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_program_gives_its_diagnostic(title: str, source: str, cls: str, line: int, col: int,
                                          fragment: str) -> None:
    with pytest.raises(fe.CompileError) as info:
        fe.analyze_source(source, "bad.py")
    err = info.value
    assert type(err).__name__ == cls, str(err)
    assert (err.line, err.col + 1) == (line, col), str(err)
    assert fragment in err.message, str(err)
    rendered = str(err)
    assert rendered.startswith(f"bad.py:{line}:{col}: error: ")
    if err.source_line is not None and err.source_line.strip():
        assert err.source_line.rstrip() in rendered
        caret_line = rendered.splitlines()[2]
        assert caret_line.rstrip().endswith("^")
        assert len(caret_line) - 1 == 4 + err.col
    if err.hint:
        assert f"hint: {err.hint}" in rendered


@pytest.mark.parametrize("title", [
    "list literal", "class definition", "try/except", "generator", "import inside function",
    "with statement", "global statement", "lambda", "dict literal",
])
def test_constructs_outside_the_subset_point_to_jit(title: str) -> None:
    source = next(c[1] for c in CASES if c[0] == title)
    with pytest.raises(fe.UnsupportedSyntaxError) as info:
        fe.analyze_source(source, "bad.py")
    assert info.value.hint is not None and "@pyexec.jit" in info.value.hint


@pytest.mark.parametrize(("title", "suggestion"), [
    ("typo in local name", "total"), ("typo in parameter name", "value"), ("typo in annotation", "float"),
    ("typo in math function", "sqrt"),
])
def test_a_typo_suggests_the_closest_name(title: str, suggestion: str) -> None:
    source = next(c[1] for c in CASES if c[0] == title)
    with pytest.raises(fe.CompileNameError) as info:
        fe.analyze_source(source, "bad.py")
    assert info.value.hint == f"did you mean '{suggestion}'?"


def test_every_error_class_is_a_compile_error() -> None:
    for cls in (fe.UnsupportedSyntaxError, fe.CompileTypeError, fe.CompileNameError, fe.SourceUnavailableError):
        assert issubclass(cls, fe.CompileError)
    assert not issubclass(fe.IRVerifyError, fe.CompileError)


@pytest.mark.parametrize("title", ["pyexec type used without importing it", "pyexec type cast without importing it"])
def test_a_pyexec_type_used_without_import_says_how_to_import_it(title: str) -> None:
    source = next(c[1] for c in CASES if c[0] == title)
    with pytest.raises(fe.CompileNameError) as info:
        fe.analyze_source(source, "bad.py")
    assert info.value.hint is not None and info.value.hint.startswith("import it first: from pyexec import ")
