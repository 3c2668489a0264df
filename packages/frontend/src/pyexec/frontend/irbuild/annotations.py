"""Reading a type annotation (``int``, ``uint8``, ``pyexec.float32``, ``np.int32``, ``"int32"``, ``None``).

Annotations resolve against the function's globals from the AST, so ``from __future__ import
annotations`` (string annotations) changes nothing.

Example:
    >>> import ast
    >>> from pyexec.frontend.source import sources_from_text
    >>> src = sources_from_text("from pyexec import uint8\\ndef f(x: uint8): pass\\n", "m.py", None, None)[0]
    >>> str(annotation_type(src.node.args.args[0].annotation, src, allow_none=False))
    'uint8'
"""

from __future__ import annotations

import ast
import difflib

from pyexec.frontend.diagnostics import JIT_HINT, CompileError, CompileNameError, CompileTypeError
from pyexec.frontend.environment import Binding, MathModuleBinding, ModuleBinding, TypeBinding
from pyexec.frontend.ir.types import BY_NAME, NONE, ArrayT, NoneT, ScalarT
from pyexec.frontend.irbuild.arrays import ARRAY_SPELLING, array_annotation
from pyexec.frontend.source import FunctionSource

_KNOWN = "int, float, bool, complex or a pyexec type (int8 … uint64, float32, float64, complex64, complex128, bool_)"


def _binding(node: ast.expr, src: FunctionSource) -> Binding | None:
    if isinstance(node, ast.Name):
        found = src.env.lookup(node.id)
        if found is None:
            if node.id in BY_NAME:
                hint: str | None = f"import it first: from pyexec import {node.id}"
            else:
                close = difflib.get_close_matches(node.id, [*BY_NAME, *src.env.names()], n=1)
                hint = f"did you mean '{close[0]}'?" if close else None
            raise src.error(CompileNameError, node, f"name '{node.id}' is not defined", hint)
        return found
    if isinstance(node, ast.Attribute):
        base = _binding(node.value, src)
        if isinstance(base, ModuleBinding):
            return src.env.attribute(base, node.attr)
        if isinstance(base, MathModuleBinding):
            return None
    return None


PYTHON_NUMBERS = ("int", "float", "complex")
"""Annotations naming Python's own numbers: their values are *weak* in NumPy 2's promotion (NEP 50)."""


def _type_name(node: ast.expr, src: FunctionSource) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return None
    try:
        binding = _binding(node, src)
    except CompileError:  # an unknown name: annotation_type reports it
        return None
    return binding.name if isinstance(binding, TypeBinding) else None


def names_numpy_bool(node: ast.expr, src: FunctionSource) -> bool:
    """Whether an annotation names NumPy's ``bool_`` (whose ``+`` is a logical or), not Python's ``bool``."""
    return _type_name(node, src) == "bool_"


def names_python_number(node: ast.expr, src: FunctionSource) -> bool:
    """Whether an annotation names Python's ``int``, ``float`` or ``complex`` (not ``float64`` …).

    Example:
        >>> import ast
        >>> from pyexec.frontend.source import sources_from_text
        >>> src = sources_from_text("def f(x: float): pass\\n", "m.py", None, None)[0]
        >>> names_python_number(src.node.args.args[0].annotation, src)
        True
    """
    return _type_name(node, src) in PYTHON_NUMBERS


def annotation_type(node: ast.expr, src: FunctionSource, *, allow_none: bool) -> ScalarT | ArrayT | NoneT:
    """The IR type an annotation names; ``None`` only where ``allow_none`` (a return annotation)."""
    if isinstance(node, ast.Constant) and node.value is None:
        if allow_none:
            return NONE
        raise src.error(CompileTypeError, node, "None is not a type for a value", f"use {_KNOWN}")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            raise src.error(CompileTypeError, node, f"the annotation {node.value!r} is not a type",
                            f"use {_KNOWN}") from None
        ast.copy_location(inner, node)
        for sub in ast.walk(inner):
            ast.copy_location(sub, node)
        return annotation_type(inner, src, allow_none=allow_none)
    if isinstance(node, ast.Subscript):
        base = _binding(node.value, src)
        if isinstance(base, TypeBinding):
            return array_annotation(node, base.name, src)
    binding = _binding(node, src)
    if isinstance(binding, TypeBinding):
        return BY_NAME[binding.name]  # type: ignore[return-value]
    text = ast.unparse(node)
    if text.split("[")[0].split(".")[-1] in ("ndarray", "NDArray", "ArrayLike"):
        raise src.error(CompileTypeError, node, f"'{text}' does not say the array's element type and dimensions",
                        f"write them as Numba does: {ARRAY_SPELLING}")
    raise src.error(CompileTypeError, node, f"'{text}' is not a type compiled code supports",
                    f"use {_KNOWN}, or an array type such as {ARRAY_SPELLING}; other types (lists, strings): "
                    f"{JIT_HINT}")
