"""Jupyter notebooks as input to ``pyexec check`` and ``pyexec explain``: their code cells as one module.

A notebook's code cells, in order, make one Python source; IPython's magics and shell escapes
(``%time``, ``!pip``, whole ``%%`` cells) become blank lines, so every other line keeps its number
within its cell. A diagnostic is then moved back to the cell it came from.

Example:
    >>> code = NotebookCode.from_cells(["import math", "def f(x: float) -> float:\\n    return math.sqrt(x)"])
    >>> code.text.splitlines()[1], code.cell_and_line(3)
    ('def f(x: float) -> float:', (2, 2))
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class NotebookCode:
    text: str
    starts: list[int]
    """The line (1-based, in ``text``) where each code cell begins."""

    @classmethod
    def from_cells(cls, cells: list[str]) -> NotebookCode:
        lines: list[str] = []
        starts: list[int] = []
        for source in cells:
            starts.append(len(lines) + 1)
            cell_lines = source.splitlines()
            magic_cell = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
            lines += ["" if magic_cell or line.lstrip().startswith(("%", "!")) else line for line in cell_lines]
            lines.append("")  # cells never run into each other
        return cls("\n".join(lines) + "\n", starts)

    @classmethod
    def read(cls, path: Path) -> NotebookCode:
        """The code cells of the ``.ipynb`` file at ``path`` (``ValueError`` if it is not a notebook)."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            cells = [c for c in document["cells"] if c.get("cell_type") == "code"]
            sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is not a Jupyter notebook ({exc})") from None
        return cls.from_cells(sources)

    def cell_and_line(self, line: int) -> tuple[int, int]:
        """(code cell number, line within it), both 1-based, of a line of ``text``."""
        cell = max(i for i, start in enumerate(self.starts) if start <= line) if line >= 1 else 0
        return cell + 1, line - self.starts[cell] + 1

    def relocate(self, exc, path: Path):  # (CompileError, Path) -> CompileError
        """The same diagnostic, pointing at the notebook's cell instead of the joined source."""
        if exc.line < 1:
            return exc
        cell, line = self.cell_and_line(exc.line)
        return type(exc)(exc.message, file=f"{path} (code cell {cell})", line=line, col=exc.col,
                         source_line=exc.source_line, hint=exc.hint)


def is_notebook(path: Path) -> bool:
    return path.suffix == ".ipynb"
