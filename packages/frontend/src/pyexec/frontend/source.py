"""Where a function's source comes from, and how a place in it becomes a :class:`CompileError`.

A :class:`FunctionSource` holds one ``def`` (its AST), the file it came from, the offsets that map
the AST's positions back to the real file (a function read with ``inspect`` is parsed alone and
dedented), the file's lines for diagnostics, and the globals its names resolve against.

Example:
    >>> srcs = sources_from_text("def f(x: int) -> int:\\n    return x\\n", "m.py", None, None)
    >>> srcs[0].name, srcs[0].loc(srcs[0].node)
    ('f', Loc(file='m.py', line=1, col=0))
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyexec.frontend.diagnostics import CompileError, SourceUnavailableError, UnsupportedSyntaxError
from pyexec.frontend.environment import (
    UNASSIGNED,
    ChainedGlobals,
    ClosureGlobals,
    Globals,
    LiveGlobals,
    StaticGlobals,
)
from pyexec.frontend.ir.nodes import Loc


@dataclass(eq=False)
class FunctionSource:
    """One function to compile: its ``def``, where it lives, and what its globals mean."""

    name: str
    node: ast.FunctionDef
    file: str
    lines: Sequence[str]
    """The real file's lines (index 0 is line 1), for the source line shown in diagnostics."""
    env: Globals
    line_offset: int = 0
    col_offset: int = 0
    key: object = None
    """What identifies the function for calls: the live function object or the ``def`` node."""

    def loc(self, node: ast.AST) -> Loc:
        """The real-file location of an AST node of this function."""
        line = getattr(node, "lineno", self.node.lineno) + self.line_offset
        col = getattr(node, "col_offset", 0) + self.col_offset
        return Loc(self.file, line, col)

    def error(self, cls: type[CompileError], node: ast.AST, message: str, hint: str | None = None) -> CompileError:
        """A diagnostic of class ``cls`` pointing at ``node`` (returned, for the caller to raise)."""
        loc = self.loc(node)
        return located_error(cls, loc, self.lines, message, hint)


def located_error(
    cls: type[CompileError], loc: Loc, lines: Sequence[str], message: str, hint: str | None = None
) -> CompileError:
    """A diagnostic at ``loc`` whose source line is taken from ``lines``.

    Example:
        >>> print(located_error(CompileError, Loc("a.py", 1, 4), ["x = [1]"], "lists are not supported"))
        a.py:1:5: error: lists are not supported
            x = [1]
                ^
    """
    source_line = lines[loc.line - 1] if 0 < loc.line <= len(lines) else None
    return cls(message, file=loc.file, line=loc.line, col=loc.col, source_line=source_line, hint=hint)


def read_source_file(path: str | os.PathLike[str]) -> str:
    """The text of a Python file, decoded as CPython decodes a module it imports.

    A UTF-8 BOM and a PEP 263 coding declaration (``# -*- coding: latin-1 -*-``) are honoured and
    newlines become ``\\n`` (:func:`importlib.util.decode_source`). A missing file, a directory or
    bytes that are not valid in the file's encoding raise :class:`CompileError` saying what to do.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.py"
        >>> _ = p.write_bytes("# -*- coding: latin-1 -*-\\ns = 'caf\\u00e9'\\n".encode("latin-1"))
        >>> read_source_file(p).splitlines()[1]
        "s = 'café'"
    """
    import importlib.util

    file = os.fspath(path)
    if os.path.isdir(file):
        raise CompileError("it is a directory, not a Python file", file=file, line=1,
                           hint="give the path of a .py file")
    try:
        with open(file, "rb") as fh:
            data = fh.read()
    except OSError as err:
        raise CompileError(f"it cannot be read: {err.strerror or err}", file=file, line=1,
                           hint="check the path and the file's permissions") from None
    try:
        return importlib.util.decode_source(data)
    except SyntaxError as err:  # an unknown or inconsistent coding declaration (raised by tokenize)
        raise CompileError(f"it cannot be decoded: {err.msg}", file=file,
                           line=err.lineno or 1, hint="declare an encoding Python knows, or save the file as UTF-8",
                           ) from None
    except (UnicodeDecodeError, LookupError) as err:
        start = getattr(err, "start", 0)
        line = data[:start].count(b"\n") + 1
        encoding = getattr(err, "encoding", "its declared encoding")
        raise CompileError(
            f"it cannot be decoded: byte {data[start:start + 1]!r} on line {line} is not valid {encoding}",
            file=file, line=line,
            hint="save the file as UTF-8, or declare its encoding on line 1 or 2 (# -*- coding: latin-1 -*-)",
        ) from None


def parse(text: str, filename: str) -> ast.Module:
    """Parse Python source, turning a syntax error into a :class:`CompileError`.

    Example:
        >>> type(parse("x = 1", "m.py").body[0]).__name__
        'Assign'
    """
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        lines = text.splitlines()
        line = exc.lineno or 0
        col = max((exc.offset or 1) - 1, 0)
        raise located_error(
            CompileError, Loc(filename, line, col), lines, f"invalid Python syntax: {exc.msg}",
            "fix the syntax error; the file must be valid Python",
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise CompileError(f"cannot parse the source: {exc}", file=filename) from None


def sources_from_text(
    text: str, filename: str, names: Sequence[str] | None, namespace: Mapping[str, object] | None
) -> list[FunctionSource]:
    """The top-level functions of a module's source (all of them, or those in ``names``), in file order
    when ``names`` is None and in ``names``' order otherwise.

    Example:
        >>> [s.name for s in sources_from_text("def a(): pass\\ndef b(): pass\\n", "m.py", ["b"], None)]
        ['b']
    """
    tree = parse(text, filename)
    lines = text.splitlines()
    static = StaticGlobals(tree)
    env: Globals = static if namespace is None else ChainedGlobals(static, LiveGlobals(namespace))
    defs: dict[str, ast.FunctionDef] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            defs[stmt.name] = stmt
        elif isinstance(stmt, ast.AsyncFunctionDef) and (names is None or stmt.name in names):
            raise located_error(
                UnsupportedSyntaxError, Loc(filename, stmt.lineno, stmt.col_offset), lines,
                f"async function '{stmt.name}' is not supported", "compiled functions are plain 'def' functions",
            )
    if names is None:
        chosen = list(defs)
    else:
        chosen = []
        for name in names:
            if name not in defs:
                raise CompileError(
                    f"no top-level function named '{name}' in {filename}",
                    file=filename,
                    hint=f"functions defined there: {', '.join(defs) or 'none'}",
                )
            chosen.append(name)
    return [FunctionSource(n, defs[n], filename, lines, env, key=defs[n]) for n in chosen]


def static_callee_source(ref: ast.FunctionDef, like: FunctionSource) -> FunctionSource:
    """The source of a top-level ``def`` of the same file as ``like`` (a callee found statically)."""
    return FunctionSource(ref.name, ref, like.file, like.lines, like.env, key=ref)


def unwrap(func: object) -> object:
    """The original Python function behind decorators that expose it (``__wrapped__``, Numba's ``py_func``).

    Example:
        >>> import functools
        >>> def f(): pass
        >>> unwrap(functools.wraps(f)(lambda: None)) is f
        True
    """
    seen = set()
    while id(func) not in seen:
        seen.add(id(func))
        inner = getattr(func, "__wrapped__", None) or getattr(func, "py_func", None)
        if inner is None:
            break
        func = inner
    return func


def source_of_function(func: object) -> FunctionSource:
    """Read a live function's source with ``inspect``: the real file, its line numbers, decorators ignored.

    Example:
        >>> import math
        >>> try:
        ...     source_of_function(math.sqrt)
        ... except SourceUnavailableError as err:
        ...     err.message
        'sqrt is a builtin, not a Python function'
    """
    import inspect
    import linecache
    import types

    original = unwrap(func)
    label = getattr(original, "__qualname__", None) or repr(original)
    if not isinstance(original, types.FunctionType):
        what = "a builtin" if isinstance(original, types.BuiltinFunctionType) else f"a {type(original).__name__}"
        raise SourceUnavailableError(
            f"{label} is {what}, not a Python function",
            hint="pass a function defined with 'def' in a .py file",
        )
    code = original.__code__
    file = code.co_filename
    if original.__name__ == "<lambda>":
        raise UnsupportedSyntaxError(
            "a lambda cannot be compiled", file=file, line=code.co_firstlineno,
            hint="define it with 'def' and type annotations",
        )
    try:
        snippet, first_line = inspect.getsourcelines(original)
    except (OSError, TypeError):
        raise SourceUnavailableError(
            f"the source of function '{label}' is not available (defined in the REPL or by exec())",
            file=file, line=code.co_firstlineno,
            hint="put the function in a .py file, or pass its source text to analyze_source()",
        ) from None
    first_line = max(first_line, 1)
    text = "".join(snippet)
    indented = bool(snippet) and snippet[0][:1] in (" ", "\t")
    # A nested or method definition is parsed inside "if 1:" rather than dedented, so that its
    # columns stay those of the real file (and a multi-line string less indented than the def is fine).
    tree = parse("if 1:\n" + text if indented else text, file)
    body = tree.body[0].body if indented and tree.body and isinstance(tree.body[0], ast.If) else tree.body
    node = body[0] if body else None
    line_offset = first_line - 2 if indented else first_line - 1
    lines = linecache.getlines(file) or ["\n"] * (first_line - 1) + list(snippet)
    if not isinstance(node, ast.FunctionDef):
        raise UnsupportedSyntaxError(
            f"'{label}' is not a plain 'def' function", file=file, line=first_line,
            hint="compiled functions are plain 'def' functions",
        )
    env: Globals = LiveGlobals(original.__globals__)
    # Free variables are frozen at compile time (as in Numba); their values reach the IR as constants
    # and callees, so they are part of the cache key like the rest of the code. Names used only in
    # annotations were evaluated in the enclosing scope when the def ran: Python kept their values.
    frozen = _annotation_values(node, original, original.__globals__)
    frozen.update(zip(code.co_freevars, map(_cell_value, original.__closure__ or ())))
    if frozen:
        env = ClosureGlobals(frozen, env)
    return FunctionSource(original.__name__, node, file, lines, env, line_offset=line_offset, key=original)


def _annotation_values(node: ast.FunctionDef, func: object, module_globals: Mapping[str, object]) -> dict[str, object]:
    """``{name: value}`` for annotations written as a bare name that the module's globals lack
    (``int32`` imported inside the enclosing function), from the function's ``__annotations__``."""
    annotations = getattr(func, "__annotations__", None) or {}
    args = node.args
    named = [(a.arg, a.annotation) for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    named.append(("return", node.returns))
    values: dict[str, object] = {}
    for key, annotation in named:
        if isinstance(annotation, ast.Name) and annotation.id not in module_globals:
            value = annotations.get(key)
            if value is not None and not isinstance(value, str):
                values[annotation.id] = value
    return values


def _cell_value(cell: object) -> object:
    try:
        return cell.cell_contents  # type: ignore[attr-defined]
    except ValueError:  # an empty cell: the enclosing function has not assigned the variable yet
        return UNASSIGNED
