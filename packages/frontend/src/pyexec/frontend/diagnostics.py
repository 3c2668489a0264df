"""The errors the frontend raises: one class hierarchy users can catch.

A :class:`CompileError` points at the user's source: file, line, column, the source
line with a caret under the column, and a hint saying what to do instead.
:class:`IRVerifyError` is different: it means the IR broke one of its own invariants
(a bug in the frontend or in a tool building IR by hand), not that the program is wrong.

Example:
    >>> err = CompileTypeError("cannot assign a float to 'n' (an int)", file="f.py", line=3, col=4,
    ...                        source_line="    n = 0.5", hint="use int(...)")
    >>> print(err)
    f.py:3:5: error: cannot assign a float to 'n' (an int)
            n = 0.5
            ^
    hint: use int(...)
"""

from __future__ import annotations

JIT_HINT = "this needs @pyexec.jit (Numba) or aot_compile (Nuitka)"
"""The hint for Python that is valid but outside the compiled subset."""


class CompileError(Exception):
    """A program the frontend cannot compile, with where and why.

    Attributes: ``file``, ``line`` (1-based), ``col`` (0-based; printed 1-based),
    ``source_line`` (the text of that line), ``hint`` (what to do, or ``None``),
    and ``message`` (the bare message without location).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str = "<unknown>",
        line: int = 0,
        col: int = 0,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.source_line = source_line
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.file}:{self.line}:{self.col + 1}: error: {self.message}"
        if self.source_line is not None and self.source_line.strip():
            line = self.source_line.rstrip("\n").expandtabs(1)
            text += f"\n    {line}\n    {' ' * min(self.col, len(line))}^"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self._render()

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only fields: rebuild through a helper so errors survive pickling (worker processes).
        fields = (self.message, self.file, self.line, self.col, self.source_line, self.hint)
        return (_rebuild, (type(self), *fields))


def _rebuild(
    cls: type[CompileError], message: str, file: str, line: int, col: int, source_line: str | None, hint: str | None
) -> CompileError:
    return cls(message, file=file, line=line, col=col, source_line=source_line, hint=hint)


class UnsupportedSyntaxError(CompileError):
    """Valid Python outside the compiled subset (lists, classes, try, generators, …)."""


class CompileTypeError(CompileError):
    """An ill-typed program: a missing annotation, a float assigned to an int local, …"""


class CompileNameError(CompileError):
    """A name that does not resolve: a typo, a local read before assignment, an unknown function."""


class SourceUnavailableError(CompileError):
    """A function whose source cannot be read (defined in the REPL, by ``exec``, or a builtin)."""


class IRVerifyError(Exception):
    """The IR breaks one of its invariants (see ``pyexec.frontend.ir.nodes``): a frontend bug,
    not a user error. The message names the function, the node and what is wrong."""
