"""``pyexec.explain(func)``: what each compiler stage makes of a live function, for notebooks and the REPL.

The same stages as ``pyexec explain FILE.py::func`` (one producer per stage, in ``pyexec.cli.explain``),
taken from a function object instead of a file, so a function defined in a Jupyter cell can be
explained where it is written. The result prints as plain text with headings and renders in Jupyter as
Markdown, one heading and one highlighted code block per stage.

Example:
    >>> import pyexec
    >>> def square(x: int) -> int:
    ...     return x * x
    >>> print(pyexec.explain(square, "ir"))  # doctest: +SKIP
    module '<stdin>'
    ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

MARKDOWN_LANGUAGE = {"python": "python", "llvm": "llvm", "gas": "asm", "text": "text", "wast": "wasm"}
"""The explain lexer of a stage → the language name of a Markdown code fence."""


@dataclass
class Explanation:
    """The text of each stage asked for, in compiler order; ``errors`` holds stages that could not be shown."""

    function: str
    stages: dict[str, str]
    errors: dict[str, str]

    def __str__(self) -> str:
        from pyexec.cli.explain import RENDERERS

        parts = []
        for stage, text in self.stages.items():
            parts.append(f"── {stage}: {RENDERERS[stage][2]} ──\n{text.rstrip()}")
        parts += [f"── {stage}: not shown ──\n{message}" for stage, message in self.errors.items()]
        return "\n\n".join(parts) + "\n"

    def _repr_markdown_(self) -> str:
        from pyexec.cli.explain import RENDERERS

        parts = [f"### `{self.function}`, stage by stage"]
        for stage, text in self.stages.items():
            _, lexer, heading = RENDERERS[stage]
            parts.append(f"#### {stage}: {heading}\n\n```{MARKDOWN_LANGUAGE.get(lexer, 'text')}\n{text.rstrip()}\n```")
        parts += [f"#### {stage}: not shown\n\n{message}" for stage, message in self.errors.items()]
        return "\n\n".join(parts)


def explain(func: Callable[..., object], stages: str | Sequence[str] | None = None, *, opt: int = 2,
            overflow: str = "check") -> Explanation:
    """Every stage (or the ones named) of pyexec's compiler for ``func``.

    A diagnostic of the frontend (the function is outside the compiled subset) is raised as its
    ``CompileError``; a stage that needs a missing tool (``wat``) is listed under ``errors``.

    Example:
        >>> def inc(x: int) -> int:
        ...     return x + 1
        >>> "add" in pyexec.explain(inc, "llvm").stages["llvm"]  # doctest: +SKIP
        True
    """
    from pyexec.cli.explain import RENDERERS, STAGES, ExplainError, Request

    wanted = list(STAGES) if stages is None else [stages] if isinstance(stages, str) else list(stages)
    unknown = [stage for stage in wanted if stage not in RENDERERS]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}; stages: {', '.join(STAGES)}")
    name = getattr(func, "__name__", repr(func))
    code = getattr(getattr(func, "__wrapped__", func), "__code__", None)
    request = Request(Path(code.co_filename if code else "<unknown>"), name, opt, overflow, func=func)
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for stage in wanted:
        try:
            texts[stage] = RENDERERS[stage][0](request)
        except ExplainError as exc:
            errors[stage] = str(exc)
    return Explanation(name, texts, errors)
