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
from pyexec.frontend.environment import Binding, BuiltinBinding, MathModuleBinding, ModuleBinding, TypeBinding
from pyexec.frontend.ir.types import BY_NAME, NONE, STR, NoneT, ScalarT, TupleT, ValueT
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


def _unquoted(node: ast.expr) -> ast.expr:
    """The expression inside a string annotation (``"tuple[int, float]"``), located at the string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return node
        for sub in ast.walk(inner):
            ast.copy_location(sub, node)
        return inner
    return node


def tuple_items(node: ast.expr, src: FunctionSource) -> list[ast.expr] | None:
    """The item annotations of ``tuple[...]`` / ``typing.Tuple[...]``, or None for any other annotation."""
    node = _unquoted(node)
    if not isinstance(node, ast.Subscript):
        return None
    try:
        base = _binding(node.value, src)
    except CompileError:
        return None
    if base != BuiltinBinding("tuple"):
        return None
    items = node.slice
    return list(items.elts) if isinstance(items, ast.Tuple) else [items]


def item_flags(node: ast.expr, src: FunctionSource) -> tuple[tuple[bool, bool], ...] | None:
    """For a tuple annotation, whether each item is a Python number (weak) and whether it is NumPy's
    ``bool_``; None for any other annotation."""
    items = tuple_items(node, src)
    if items is None:
        return None
    return tuple((names_python_number(i, src), names_numpy_bool(i, src)) for i in items)


def annotation_type(node: ast.expr, src: FunctionSource, *, allow_none: bool) -> ValueT | NoneT:
    """The IR type an annotation names; ``None`` only where ``allow_none`` (a return annotation)."""
    items = tuple_items(node, src)
    if items is not None:
        return _tuple_type(node, items, src)
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
    if isinstance(binding, BuiltinBinding) and binding.name == "str":
        return STR
    if isinstance(binding, BuiltinBinding) and binding.name == "tuple":
        raise src.error(CompileTypeError, node, "a tuple annotation must list its item types",
                        "write tuple[int, float] (one scalar type per item)")
    text = ast.unparse(node)
    if text.split("[")[0].split(".")[-1] in ("ndarray", "NDArray", "ArrayLike"):
        raise src.error(CompileTypeError, node, f"'{text}' does not say the array's element type and dimensions",
                        f"write them as Numba does: {ARRAY_SPELLING}")
    raise src.error(CompileTypeError, node, f"'{text}' is not a type compiled code supports",
                    f"use {_KNOWN}, or an array type such as {ARRAY_SPELLING}; other types (lists, strings): "
                    f"{JIT_HINT}")


def _tuple_type(node: ast.expr, items: list[ast.expr], src: FunctionSource) -> TupleT:
    """``tuple[int, float]``: one scalar type per item (no ``...``, no nesting, at least one item)."""
    where = node if isinstance(node, ast.Constant) else _unquoted(node)
    types: list[ScalarT] = []
    for item in items:
        if isinstance(item, ast.Constant) and item.value is Ellipsis:
            raise src.error(CompileTypeError, where, "a tuple of any length (tuple[int, ...]) is not supported",
                            "compiled tuples have a fixed length: list every item's type, e.g. tuple[int, int]")
        if isinstance(item, ast.Tuple) and not item.elts:
            raise src.error(CompileTypeError, where, "the empty tuple type (tuple[()]) is not supported",
                            "return None, or a tuple of one or more numbers")
        if tuple_items(item, src) is not None:
            raise src.error(CompileTypeError, where, f"the tuple item type '{ast.unparse(item)}' is a tuple; "
                            "compiled tuples hold scalars only", "flatten it into one tuple of numbers")
        t = annotation_type(item, src, allow_none=False)
        if not isinstance(t, ScalarT):
            raise src.error(CompileTypeError, where, f"the tuple item type '{ast.unparse(item)}' is not a scalar type",
                            f"use {_KNOWN}")
        types.append(t)
    return TupleT(tuple(types))
