"""The frontend's entry points: functions, a source string, or a file → a verified-ready IR module.

Example:
    >>> m = analyze_source("def sq(x: int) -> int:\\n    return x * x\\n")
    >>> list(m.functions), str(m.functions["sq"].return_type)
    (['sq'], 'int')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pyexec.frontend.diagnostics import CompileError
from pyexec.frontend.ir.nodes import Module

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.arrays import ArgumentType

# The builder (ast, inspect, difflib, …) is imported on first use, so ``import pyexec.frontend``
# stays light for tools that only read or print IR.


@contextmanager
def _no_internal_tracebacks(file: str) -> Iterator[None]:
    """Pathologically deep programs exhaust Python's recursion limit; say so as a CompileError."""
    try:
        yield
    except RecursionError:
        raise CompileError(
            "the program is nested too deeply to compile", file=file,
            hint="split deeply nested expressions into several statements",
        ) from None


def analyze_functions(funcs: Sequence[Callable[..., object]], *, include_callees: bool = True,
                      argument_types: Sequence[ArgumentType | None] | None = None) -> Module:
    """Analyse functions as one module: calls between them (and recursion) resolve.

    Each function's source is read with ``inspect`` (the real file and line numbers; decorators
    are ignored), and its names resolve against its ``__globals__``. With ``include_callees``,
    a called Python function (or a decorator wrapping one via ``__wrapped__``) joins the module.
    ``argument_types`` (one per parameter of the first function; None where the annotation decides)
    types the parameters that have no annotation or only a partial one (``np.ndarray``): the types of
    a call's arguments, for a specialisation (:func:`~pyexec.frontend.irbuild.arrays.type_of_argument`).

    Example:
        >>> import math
        >>> from pyexec.frontend import analyze_functions
        >>> def hyp(a: float, b: float) -> float:
        ...     return math.sqrt(a * a + b * b)
        >>> analyze_functions([hyp])  # doctest: +SKIP
    """
    from pyexec.frontend.irbuild.module import ModuleBuilder
    from pyexec.frontend.source import source_of_function

    if callable(funcs):
        funcs = [funcs]  # type: ignore[list-item]
    builder = ModuleBuilder(include_callees)
    first = "<unknown>"
    with _no_internal_tracebacks(first):
        for k, f in enumerate(funcs):
            src = source_of_function(f)
            if k == 0 and argument_types is not None:
                builder.argument_types[src.key] = list(argument_types)
            builder.add(src)
        return builder.build_all()


def analyze_source(
    source: str,
    filename: str = "<string>",
    names: Sequence[str] | None = None,
    globals: Mapping[str, object] | None = None,
) -> Module:
    """Analyse functions defined in a source string (all top-level ``def``s when ``names`` is None).

    Module-level imports of ``math`` and pyexec types and simple constants in the source are
    understood statically; ``globals`` adds live objects for names the source does not define.

    Example:
        >>> m = analyze_source("N = 3\\ndef f(x: int) -> int:\\n    return x * N\\n", "m.py")
        >>> list(m.functions)
        ['f']
    """
    from pyexec.frontend.irbuild.module import ModuleBuilder
    from pyexec.frontend.source import sources_from_text

    with _no_internal_tracebacks(filename):
        builder = ModuleBuilder(include_callees=True)
        for src in sources_from_text(source, filename, names, globals):
            builder.add(src)
        module = builder.build_all()
    module.source_file = filename
    return module


def analyze_file(path: str | os.PathLike[str], names: Sequence[str] | None = None) -> Module:
    """Analyse functions of a Python file without executing it.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.py"
        >>> _ = p.write_text("import math\\ndef f(x: float) -> float:\\n    return math.sqrt(x)\\n")
        >>> list(analyze_file(p).functions)
        ['f']
    """
    from pyexec.frontend.source import read_source_file

    file = os.fspath(path)
    return analyze_source(read_source_file(file), file, names)
