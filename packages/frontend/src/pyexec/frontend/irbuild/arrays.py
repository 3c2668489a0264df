"""Typing NumPy arrays: annotations (``float64[:]``, ``int32[:, ::1]``) and what compiled code does with
an array (``len``, ``.shape[k]``, ``.size``, ``.ndim``, ``a[i, j]`` read and written, ``a[i] += v``,
``for x in a``).

The rules NumPy fixes, and that this module follows:

- an element read is a NumPy scalar of the dtype (strong in promotion: ``a[i] + 1`` stays ``int32``
  for an ``int32`` array); ``len``, ``.shape[k]``, ``.size`` and ``.ndim`` are Python ints;
- an index is an integer (``int``, any fixed width); a float or a bool is refused as NumPy refuses it
  (IndexError; a bool would be a mask); every axis is indexed (a row view is another issue's work);
- a stored value is cast to the dtype as NumPy's setitem casts it (a float truncates into an integer
  array and wraps; anything into ``bool_`` is its truth); a complex into a real array is the TypeError
  NumPy raises, and an integer literal outside the dtype is NumPy's OverflowError, both at compile time;
  a Python ``int`` or ``float`` (not a NumPy number) stored into an integer array goes through ``int()``
  and must fit (NumPy's OverflowError at run time, :class:`~pyexec.frontend.ir.nodes.FitInt`);
- ``for x in a`` over a 1-D array visits the array the loop started with (a synthetic local keeps it,
  as Python's iterator does), element by element, with no bounds check (the index is in range).

Anything else on an array is a located error naming it.

Example:
    >>> from pyexec.frontend import analyze_source, print_function
    >>> m = analyze_source("from pyexec import float64\\ndef f(a: float64[:]) -> float:\\n    return a[0]\\n")
    >>> print(print_function(m.functions["f"]).splitlines()[1])
        return getitem<float64>(a, 0:int)
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from pyexec.frontend.diagnostics import JIT_HINT, CompileTypeError, UnsupportedSyntaxError
from pyexec.frontend.environment import FunctionBinding, NumpyFunctionBinding, TypeBinding
from pyexec.frontend.ir.nodes import (
    ArrayCast,
    ArrayCopy,
    ArrayMap,
    ArrayNew,
    ArrayRange,
    ArrayShape,
    ArraySize,
    ArrayView,
    BinOp,
    Cast,
    Const,
    Expr,
    Eye,
    FillArray,
    FitInt,
    ForRange,
    GetItem,
    LinSpace,
    Local,
    MatMul,
    Name,
    Reduce,
    SetItem,
    Slice,
    Stmt,
    Transpose,
)
from pyexec.frontend.ir.types import (
    BOOL,
    BY_NAME,
    COMPLEX128,
    FLOAT64,
    INT,
    INT64,
    STR,
    ArrayT,
    ScalarT,
    StrT,
    TupleT,
    reduction_type,
)
from pyexec.frontend.irbuild.literals import fits, fold_cast
from pyexec.frontend.promotion import promote

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.statements import FunctionBuilder
    from pyexec.frontend.source import FunctionSource

ARRAY_SPELLING = "float64[:] (any strides), int32[:, :] (2-D) or float64[:, ::1] (C-contiguous)"
SUPPORTED_ON_ARRAYS = ("len(a), a.shape[k], a.size, a.ndim, a[i], a[i, j] (read, assign, +=), views (a[1:-1], "
                       "a[::2], a[i, :], a[:, j], a.T), a[1:3] = v, a.copy(), 'for x in a' (rows of a 2-D array), "
                       "whole-array sum/prod/min/max/mean/argmin/argmax (methods and np. functions), "
                       "elementwise + - * / // % ** & | ^ << >> and comparisons with broadcasting, "
                       "-a, ~a, a.astype(t), np.sqrt/exp/log/sin/cos/tan/abs, "
                       "a @ b and np.dot, and np.empty/zeros/ones/full(shape, dtype), their _like forms, np.arange, "
                       "np.linspace and np.eye")
UFUNCS = ("sqrt", "exp", "log", "sin", "cos", "tan", "abs", "absolute")
SYMBOL_OF = {"floordiv": "//", "mod": "%", "pow": "**", "lshift": "<<", "rshift": ">>", "bitand": "&",
             "bitor": "|", "bitxor": "^"}
REDUCTIONS = ("sum", "prod", "min", "max", "mean", "argmin", "argmax")
NUMPY_DTYPE_OF_BUILTIN = {"int": "int64", "float": "float64", "complex": "complex128", "bool": "bool_"}


def array_annotation(node: ast.Subscript, dtype_name: str, src: FunctionSource) -> ArrayT:
    """``float64[:]``, ``int32[:, :]``, ``float64[:, ::1]``: Numba's spelling of an array type.

    One ``:`` per axis; ``::1`` on the last axis makes the type C-contiguous (on another axis it is
    Fortran order, which compiled code does not know).

    Example:
        >>> import ast
        >>> from pyexec.frontend.source import sources_from_text
        >>> src = sources_from_text("from pyexec import int32\\ndef f(a: int32[:, ::1]): pass\\n", "m.py", None,
        ...                         None)[0]
        >>> str(array_annotation(src.node.args.args[0].annotation, "int32", src))
        'int32[:, ::1]'
    """
    dtype = BY_NAME[NUMPY_DTYPE_OF_BUILTIN.get(dtype_name, dtype_name)]
    assert isinstance(dtype, ScalarT)
    axes = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    layout = "A"
    for k, axis in enumerate(axes):
        step = axis.step if isinstance(axis, ast.Slice) else None
        plain = isinstance(axis, ast.Slice) and axis.lower is None and axis.upper is None
        unit = isinstance(step, ast.Constant) and step.value == 1 and type(step.value) is int
        if not plain or (step is not None and not unit):
            raise src.error(CompileTypeError, axis, f"'{ast.unparse(node)}' is not an array type",
                            f"write one ':' per axis, '::1' on the last one for a C-contiguous array: {ARRAY_SPELLING}")
        if unit:
            if k != len(axes) - 1:
                raise src.error(CompileTypeError, axis, f"'{ast.unparse(node)}' is a Fortran-order array type, which "
                                "compiled code does not support", f"use {dtype_name}[{', '.join([':'] * len(axes))}] "
                                "(any strides) or put '::1' on the last axis (C order)")
            layout = "C"
    return ArrayT(dtype, len(axes), layout)


PARTIAL_ARRAY_NAMES = ("ndarray", "NDArray", "ArrayLike")


def partial_array_annotation(node: ast.expr) -> bool:
    """``np.ndarray``, ``numpy.typing.NDArray[np.float64]``: an array annotation without its dimensions."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return False
    base = node.value if isinstance(node, ast.Subscript) else node
    name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else None
    return name in PARTIAL_ARRAY_NAMES


class ArgumentType(NamedTuple):
    """The type a call's argument gives an unannotated (or partially annotated) parameter."""

    type: ScalarT | ArrayT | StrT
    python_number: bool = False
    """A Python ``float`` or ``complex`` (weak in NumPy 2's promotion, as Python's ``int`` is)."""
    numpy_bool: bool = False
    """NumPy's ``bool_`` (its arithmetic is NumPy's), not Python's ``bool``."""


def type_of_argument(value: object) -> ArgumentType | None:
    """The IR type of a call's argument, as Numba's dispatcher types it: a NumPy array gives its dtype,
    dimensions and layout (``"C"`` when C-contiguous), a Python number ``int``/``float``/``bool``/``complex``,
    a NumPy scalar its type, a ``str`` ``str``; anything else None.

    Example:
        >>> import numpy as np
        >>> str(type_of_argument(np.zeros((2, 3), np.int32)).type), str(type_of_argument(np.zeros(4)[::2]).type)
        ('int32[:, ::1]', 'float64[:]')
        >>> type_of_argument(2.5)
        ArgumentType(type=ScalarT(info=..., checked=False), python_number=True, numpy_bool=False)
    """
    if isinstance(value, str):
        return ArgumentType(STR)
    if isinstance(value, bool):
        return ArgumentType(BY_NAME["bool"])  # type: ignore[arg-type]
    if isinstance(value, int):
        return ArgumentType(INT)
    if isinstance(value, float):
        return ArgumentType(FLOAT64, True)
    if isinstance(value, complex):
        return ArgumentType(COMPLEX128, True)
    dtype = getattr(value, "dtype", None)
    name = "bool_" if getattr(dtype, "kind", None) == "b" else getattr(dtype, "name", None)
    t = BY_NAME.get(name) if isinstance(name, str) else None
    if not isinstance(t, ScalarT) or getattr(dtype, "isnative", False) is not True:
        return None
    ndim = getattr(value, "ndim", None)
    if type(value).__name__ == "ndarray" and isinstance(ndim, int):
        if ndim == 0:
            return None
        contiguous = bool(value.flags.c_contiguous)  # type: ignore[attr-defined]
        return ArgumentType(ArrayT(t, ndim, "C" if contiguous else "A"))
    if ndim == 0:  # a NumPy scalar
        return ArgumentType(t, numpy_bool=t.is_bool)
    return None


def wrapping_offsets(i: Expr) -> Expr:
    """An index ``i ± c`` (``c`` a constant under 2**32) computed in wrapping ``int64`` instead of checked ``int``.

    Python's unbounded ``i + 1`` past int64 indexes no array (IndexError); the wrapped value does not either
    (its magnitude is at least 2**63 - 2**32), so the outcome is the same, and a loop no longer tests for an
    overflow at every access (a test that keeps stencils from vectorising)."""
    if not (isinstance(i, BinOp) and i.op in ("add", "sub") and i.type == INT):
        return i
    small = [isinstance(x, Const) and type(x.value) is int and abs(x.value) < 2**32 for x in (i.left, i.right)]
    if not any(small):
        return i
    left, right = (x if k else wrapping_offsets(x) for x, k in zip((i.left, i.right), small))
    left, right = (Const(x.value, INT64, x.loc) if isinstance(x, Const) else Cast(x, INT64, x.loc)
                   for x in (left, right))
    wide = BinOp(i.op, left, right, INT64, i.loc)
    return Cast(wide, INT, i.loc)


def _element(t: ArrayT) -> str:
    return f"{t.ndim}-D {t.dtype} array"


class ArrayBuilder:
    """The array half of the expression and statement builders (a mixin of
    :class:`~pyexec.frontend.irbuild.expressions.ExpressionBuilder`)."""

    # --- reading ---------------------------------------------------------------------------------

    def array_value(self: FunctionBuilder, node: ast.expr) -> Expr:
        """An expression that must be an array."""
        e = self.any_value(node)
        if not isinstance(e.type, ArrayT):
            raise self.error(CompileTypeError, node, f"'{ast.unparse(node)}' is a {e.type}, not an array")
        return e

    def refuse_array(self: FunctionBuilder, e: Expr, node: ast.expr) -> None:
        """An array where compiled code needs a number: the located error naming what was tried."""
        assert isinstance(e.type, ArrayT)
        raise self.error(
            UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is an array ({e.type}); compiled code does not "
            "support this use of an array yet", f"supported on arrays: {SUPPORTED_ON_ARRAYS}; otherwise {JIT_HINT}",
        )

    def array_attribute(self: FunctionBuilder, base: Expr, node: ast.Attribute) -> Expr:
        t = base.type
        assert isinstance(t, ArrayT)
        loc = self.loc(node)
        if node.attr == "size":
            return self.mark_weak(ArraySize(base, INT, loc))
        if node.attr == "ndim":
            return self.mark_weak(Const(t.ndim, INT, loc))
        if node.attr == "T":
            return Transpose(base, ArrayT(t.dtype, t.ndim, t.layout if t.ndim == 1 else "A"), loc)
        if node.attr == "shape":
            raise self.error(UnsupportedSyntaxError, node, "'.shape' is a tuple, and compiled code has no tuples yet",
                             "read one extent with a.shape[k] (k a constant), or unpack: n, m = a.shape")
        raise self.error(UnsupportedSyntaxError, node, f"the attribute '.{node.attr}' of an array is not supported in "
                         "compiled code", f"supported on arrays: {SUPPORTED_ON_ARRAYS}; otherwise {JIT_HINT}")

    def shape_of(self: FunctionBuilder, node: ast.Attribute) -> tuple[Expr, ArrayT] | None:
        """The array of ``<array>.shape``, or None when ``node`` is not the shape of an array."""
        if node.attr != "shape" or self.global_binding(node) is not None:
            return None
        base = self.any_value(node.value)
        return (base, base.type) if isinstance(base.type, ArrayT) else None

    def builtin_len(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        arg = self.any_value(node.args[0])
        if isinstance(arg.type, TupleT):
            return self.tuple_len(arg, node)
        if arg.type == STR:
            return self.str_len(arg, node)
        if not isinstance(arg.type, ArrayT):
            raise self.error(CompileTypeError, node.args[0], f"object of type '{arg.type}' has no len()",
                             "len() takes an array or a tuple in compiled code (Python raises TypeError)")
        return self.mark_weak(ArrayShape(arg, 0, INT, self.loc(node)))

    def subscript(self: FunctionBuilder, node: ast.Subscript) -> Expr:
        if isinstance(node.value, ast.Attribute):
            shaped = self.shape_of(node.value)
            if shaped is not None:
                return self.shape_item(*shaped, node)
        base = self.any_value(node.value)
        if isinstance(base.type, TupleT):
            return self.tuple_subscript(base, node)
        if base.type == STR:
            return self.str_subscript(base, node)
        if not isinstance(base.type, ArrayT):
            raise self.error(UnsupportedSyntaxError, node, "indexing or slicing is not supported in compiled code on "
                             f"a value of type {base.type}",
                             f"compiled code indexes arrays and tuples only; {JIT_HINT}")
        view = self.view_of(base, node)
        if view is not None:
            return view
        indices = self.indices(base.type, node)
        t = base.type.dtype
        return self.mark_numpy_bool(GetItem(base, indices, True, t, self.loc(node)))

    def view_of(self: FunctionBuilder, base: Expr, node: ast.Subscript) -> Expr | None:
        """``base[...]`` as an :class:`ArrayView` when it keeps at least one axis (a slice, or fewer indices
        than axes); None when every axis gets an integer (an element)."""
        t = base.type
        assert isinstance(t, ArrayT)
        raw = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if len(raw) >= t.ndim and not any(isinstance(r, ast.Slice) for r in raw):
            return None
        if len(raw) > t.ndim:
            raise self.error(CompileTypeError, node, f"{len(raw)} indices for a {_element(t)}: too many indices",
                             "NumPy raises IndexError: too many indices for array")
        loc = self.loc(node)
        items: list[Expr | Slice] = []
        for r in raw:
            if isinstance(r, ast.Slice):
                parts = [None if p is None or (isinstance(p, ast.Constant) and p.value is None) else
                         self.integer_index(p) for p in (r.lower, r.upper, r.step)]
                items.append(Slice(*parts, self.loc(r)))
            else:
                items.append(self.integer_index(r))
        items += [Slice(None, None, None, loc) for _ in range(t.ndim - len(raw))]
        kept = sum(isinstance(i, Slice) for i in items)
        # a C array stays C-contiguous when whole trailing axes are kept after leading integer indices
        first_slice = next(k for k, i in enumerate(items) if isinstance(i, Slice))
        whole = all(isinstance(i, Slice) and i.start is None and i.stop is None and i.step is None
                    for i in items[first_slice:])
        layout = "C" if t.layout == "C" and whole else "A"
        return ArrayView(base, items, ArrayT(t.dtype, kept, layout), loc)

    def integer_index(self: FunctionBuilder, item: ast.expr) -> Expr:
        i = self.value(item)
        it = i.type
        assert isinstance(it, ScalarT)
        if it.is_bool or not it.is_integer:
            what = "a bool (NumPy would read it as a mask)" if it.is_bool else f"a {it}"
            raise self.error(CompileTypeError, item, f"an array index must be an integer, not {what}",
                             "NumPy raises IndexError: only integers ... are valid indices; convert with int(...)")
        return wrapping_offsets(self.cast(i, INT))

    def array_method(self: FunctionBuilder, node: ast.Call) -> Expr:
        """``a.copy()`` and the other methods of an array."""
        func = node.func
        assert isinstance(func, ast.Attribute)
        base = self.any_value(func.value)
        t = base.type
        label = ast.unparse(func)
        if t == STR:
            return self.str_method(base, node)
        if not isinstance(t, ArrayT):
            raise self.error(UnsupportedSyntaxError, func, f"calling '{label}' is not supported", JIT_HINT)
        if func.attr == "copy":
            self.no_keywords(node, label)
            self.arity(node, label, 0, 0)
            return ArrayCopy(base, ArrayT(t.dtype, t.ndim, "C"), self.loc(node))
        if func.attr == "astype":
            return self.array_astype(base, node, label)
        reduction = self.array_reduction(func.attr, base, node, label)
        if reduction is not None:
            return reduction
        raise self.error(UnsupportedSyntaxError, func, f"the method '.{func.attr}()' of an array is not supported in "
                         "compiled code", f"supported on arrays: {SUPPORTED_ON_ARRAYS}; otherwise {JIT_HINT}")

    def array_reduction(self: FunctionBuilder, name: str, base: Expr, node: ast.Call, label: str,
                        arguments: int = 0) -> Expr | None:
        """``a.sum()``, ``np.max(a)``, …: whole-array reductions (no axis)."""
        op = {"amin": "min", "amax": "max"}.get(name, name)
        if op not in REDUCTIONS:
            return None
        axis_node = node.args[arguments] if len(node.args) == arguments + 1 else None
        for kw in node.keywords:
            if kw.arg != "axis" or axis_node is not None:
                raise self.error(UnsupportedSyntaxError, kw.value, f"{label}({kw.arg}=...) is not supported in "
                                 "compiled code", f"reduce the whole array, or along one axis (axis=k); {JIT_HINT}")
            axis_node = kw.value
        if len(node.args) > arguments + 1:
            raise self.error(UnsupportedSyntaxError, node, f"{label}() with more arguments than an axis is not "
                             "supported in compiled code", JIT_HINT)
        t = base.type
        assert isinstance(t, ArrayT)
        result = reduction_type(op, t.dtype)
        if result is None:
            raise self.error(UnsupportedSyntaxError, node, f"{label}() of a complex array is not supported in compiled "
                             "code", JIT_HINT)
        axis = None
        if axis_node is not None and not (isinstance(axis_node, ast.Constant) and axis_node.value is None):
            k = axis_node.operand.value if isinstance(axis_node, ast.UnaryOp) and isinstance(axis_node.op, ast.USub) \
                and isinstance(axis_node.operand, ast.Constant) else getattr(axis_node, "value", None)
            if isinstance(axis_node, ast.UnaryOp) and type(k) is int:
                k = -k
            if type(k) is not int:
                raise self.error(UnsupportedSyntaxError, axis_node, "the axis must be a constant integer in compiled "
                                 "code", "write it as a number: axis=0")
            if not -t.ndim <= k < t.ndim:
                raise self.error(CompileTypeError, axis_node, f"axis {k} is out of bounds for array of dimension "
                                 f"{t.ndim}", "NumPy raises AxisError here")
            axis = k % t.ndim
        typ: ScalarT | ArrayT = result if axis is None or t.ndim == 1 else ArrayT(result, t.ndim - 1, "C")
        return self.mark_numpy_bool(Reduce(op, base, typ, self.loc(node), axis))  # type: ignore[arg-type]

    def shape_item(self: FunctionBuilder, base: Expr, t: ArrayT, node: ast.Subscript) -> Expr:
        k = node.slice
        value = k.operand.value if isinstance(k, ast.UnaryOp) and isinstance(k.op, ast.USub) \
            and isinstance(k.operand, ast.Constant) else k.value if isinstance(k, ast.Constant) else None
        if isinstance(k, ast.UnaryOp) and value is not None:
            value = -value
        if type(value) is not int:
            raise self.error(UnsupportedSyntaxError, k, "a.shape[k] needs a constant integer k in compiled code",
                             "write the axis as a number, e.g. a.shape[0]")
        if not -t.ndim <= value < t.ndim:
            raise self.error(CompileTypeError, k, f"tuple index out of range: a {t.ndim}-D array's shape has "
                             f"{t.ndim} items", "Python raises IndexError here")
        return self.mark_weak(ArrayShape(base, value % t.ndim, INT, self.loc(node)))

    def indices(self: FunctionBuilder, t: ArrayT, node: ast.Subscript) -> list[Expr]:
        """One ``int`` per axis, as NumPy takes integer indices."""
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        out = []
        for item in items:
            if isinstance(item, ast.Slice):
                raise self.error(UnsupportedSyntaxError, item, "slicing an array (a view) is not supported in compiled "
                                 "code yet", f"index single elements; {JIT_HINT}")
            i = self.value(item)
            it = i.type
            assert isinstance(it, ScalarT)
            if it.is_bool or not it.is_integer:
                what = "a bool (NumPy would read it as a mask)" if it.is_bool else f"a {it}"
                raise self.error(CompileTypeError, item, f"an array index must be an integer, not {what}",
                                 "NumPy raises IndexError: only integers ... are valid indices; convert with int(...)")
            out.append(wrapping_offsets(self.cast(i, INT)))
        if len(out) != t.ndim:
            what = "a row (a view)" if len(out) < t.ndim else "too many indices"
            raise self.error(UnsupportedSyntaxError if len(out) < t.ndim else CompileTypeError, node,
                             f"{len(out)} {'index' if len(out) == 1 else 'indices'} for a {_element(t)}: {what}",
                             f"index every axis: a[{', '.join('ijkl'[:t.ndim])}]" if len(out) < t.ndim
                             else "NumPy raises IndexError: too many indices for array")
        return out

    # --- constructors ----------------------------------------------------------------------------

    def call_numpy(self: FunctionBuilder, binding: NumpyFunctionBinding, node: ast.Call, label: str) -> Expr:
        name = binding.name
        if name in UFUNCS:
            return self.array_ufunc(name, node, label)
        if name == "linspace":
            bound = self.bind_call(node, label, ["start", "stop", "num"], required=2)
            start, stop = (self.cast(self.real_argument(bound[k], label), FLOAT64) for k in ("start", "stop"))
            num = self.shape_argument(bound["num"], label)[0] if "num" in bound else Const(50, INT, self.loc(node))
            return LinSpace(start, stop, num, ArrayT(FLOAT64, 1, "C"), self.loc(node))
        if name == "eye":
            bound = self.bind_call(node, label, ["N", "M", "dtype"], required=1)
            rows = self.shape_argument(bound["N"], label)[0]
            m_node = bound.get("M")
            none = m_node is None or (isinstance(m_node, ast.Constant) and m_node.value is None)
            cols = None if none else self.shape_argument(m_node, label)[0]  # type: ignore[arg-type]
            dtype = self.dtype_argument(bound.get("dtype"), FLOAT64, label)
            return Eye(rows, cols, ArrayT(dtype, 2, "C"), self.loc(node))
        if name in ("dot", "matmul"):
            self.no_keywords(node, label)
            self.arity(node, label, 2, 2)
            return self.matmul(self.any_value(node.args[0]), self.any_value(node.args[1]), node, f"{label}()")
        if name in REDUCTIONS or name in ("amin", "amax", "copy"):
            if not node.args:
                raise self.error(CompileTypeError, node, f"{label}() takes an array")
            base = self.array_value(node.args[0])
            if name == "copy":
                self.arity(node, label, 1, 1)
                bt = base.type
                assert isinstance(bt, ArrayT)
                return ArrayCopy(base, ArrayT(bt.dtype, bt.ndim, "C"), self.loc(node))
            found = self.array_reduction(name, base, node, label, arguments=1)
            assert found is not None
            return found
        if name == "arange":
            return self.numpy_arange(node, label)
        like = name.endswith("_like")
        kind = name.removesuffix("_like")
        params = ["a" if like else "shape"] + (["fill_value"] if kind == "full" else []) + ["dtype"]
        bound = self.bind_call(node, label, params, required=len(params) - 1)
        loc = self.loc(node)
        fill_node = bound.get("fill_value")
        fill = self.value(fill_node) if fill_node is not None else None
        if like:
            a_node = bound["a"]
            if not isinstance(a_node, ast.Name):
                raise self.error(UnsupportedSyntaxError, a_node, f"{label}() of an expression is not supported",
                                 "put the array in a variable first")
            proto = self.array_value(a_node)
            pt = proto.type
            assert isinstance(pt, ArrayT)
            shape: list[Expr] = [ArrayShape(self.any_value(a_node), k, INT, loc) for k in range(pt.ndim)]
            default = pt.dtype
        else:
            shape = self.shape_argument(bound["shape"], label)
            default = FLOAT64
            if fill is not None:
                ft = fill.type
                assert isinstance(ft, ScalarT)
                default = ft if not self.is_weak(fill) else {INT: INT64, FLOAT64: FLOAT64, COMPLEX128: COMPLEX128}.get(
                    ft, ft)
                if ft == INT:
                    default = INT64
        dtype = self.dtype_argument(bound.get("dtype"), default, label)
        t = ArrayT(dtype, len(shape), "C")
        if kind == "zeros":
            fill = Const(fold_cast(0, dtype), dtype, loc)
        elif kind == "ones":
            fill = Const(fold_cast(1, dtype), dtype, loc)
        elif kind == "full":
            assert fill is not None and fill_node is not None
            fill = self.element_value(fill, t, fill_node)
        return ArrayNew(shape, fill, t, loc)

    def bind_call(self: FunctionBuilder, node: ast.Call, label: str, params: list[str],
                  required: int) -> dict[str, ast.expr]:
        """Arguments by parameter name, as Python binds them (positional, then keywords)."""
        if len(node.args) > len(params):
            raise self.error(CompileTypeError, node, f"{label}() takes at most {len(params)} arguments here "
                             f"({', '.join(params)})")
        bound = dict(zip(params, node.args))
        for kw in node.keywords:
            if kw.arg not in params:
                raise self.error(UnsupportedSyntaxError, kw.value, f"{label}({kw.arg}=...) is not supported in "
                                 f"compiled code", f"{label}() takes {', '.join(params)}; otherwise {JIT_HINT}")
            if kw.arg in bound:
                raise self.error(CompileTypeError, kw.value, f"{label}() got two values for '{kw.arg}'")
            bound[kw.arg] = kw.value
        missing = [p for p in params[:required] if p not in bound]
        if missing:
            raise self.error(CompileTypeError, node, f"{label}() is missing the argument '{missing[0]}'")
        return bound

    def real_argument(self: FunctionBuilder, node: ast.expr, label: str) -> Expr:
        e = self.arithmetic(self.value(node))
        assert isinstance(e.type, ScalarT)
        if e.type.is_complex:
            raise self.error(UnsupportedSyntaxError, node, f"{label}() of complex bounds is not supported", JIT_HINT)
        return e

    def shape_argument(self: FunctionBuilder, node: ast.expr, label: str) -> list[Expr]:
        """A shape: an integer, or a tuple of integers written out (``(n, m)``)."""
        items = node.elts if isinstance(node, ast.Tuple) else [node]
        if not items:
            raise self.error(UnsupportedSyntaxError, node, "a 0-dimensional array is not supported in compiled code",
                             "use a scalar")
        out = []
        for item in items:
            e = self.value(item)
            et = e.type
            assert isinstance(et, ScalarT)
            if not et.is_integer or et.is_bool:
                raise self.error(CompileTypeError, item, f"{label}() needs integer extents, not {et}",
                                 "NumPy raises TypeError here; convert with int(...)")
            out.append(self.cast(e, INT))
        return out

    def dtype_argument(self: FunctionBuilder, node: ast.expr | None, default: ScalarT, label: str) -> ScalarT:
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return default
        name = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        if name is None:
            binding = self.global_binding(node)
            name = binding.name if isinstance(binding, TypeBinding) else None
        t = BY_NAME.get(NUMPY_DTYPE_OF_BUILTIN.get(name, name)) if name is not None else None
        if not isinstance(t, ScalarT):
            raise self.error(CompileTypeError, node, f"'{ast.unparse(node)}' is not a dtype compiled code knows",
                             "use a scalar type: np.float64, np.int32, float, int, complex, bool, pyexec.uint8, ...")
        return t

    def numpy_arange(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        if node.keywords:
            raise self.error(UnsupportedSyntaxError, node.keywords[0].value, f"{label}() takes no keyword arguments "
                             "in compiled code", "pass start, stop and step by position")
        if not 1 <= len(node.args) <= 3:
            raise self.error(CompileTypeError, node, f"{label}() takes 1 to 3 arguments in compiled code")
        values = [self.arithmetic(self.value(a)) for a in node.args]
        for v, a in zip(values, node.args):
            vt = v.type
            assert isinstance(vt, ScalarT)
            if vt.is_complex:
                raise self.error(UnsupportedSyntaxError, a, f"{label}() of complex numbers is not supported", JIT_HINT)
        floats = any(v.type.is_float for v in values)  # type: ignore[union-attr]
        bound = FLOAT64 if floats else INT
        values = [self.cast(v, bound) for v in values]
        loc = self.loc(node)
        zero, one = Const(0.0 if floats else 0, bound, loc), Const(1.0 if floats else 1, bound, loc)
        if len(values) == 1:
            start, stop, step = zero, values[0], one
        elif len(values) == 2:
            start, stop, step = values[0], values[1], one
        else:
            start, stop, step = values
        return ArrayRange(start, stop, step, ArrayT(FLOAT64 if floats else INT64, 1, "C"), loc)

    # --- elementwise operations and matmul --------------------------------------------------------

    def array_operand_type(self: FunctionBuilder, e: Expr, node: ast.AST, what: str) -> tuple[ScalarT, bool]:
        """An operand's element type and whether it is weak (a Python number)."""
        t = e.type
        if isinstance(t, ArrayT):
            return t.dtype, False
        e = self.arithmetic(e)
        assert isinstance(e.type, ScalarT)
        return e.type, self.is_weak(e)

    def array_binop(self: FunctionBuilder, op: str, left: Expr, right: Expr, node: ast.AST) -> Expr:
        symbol = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
                  **SYMBOL_OF}.get(op)
        if symbol is None:
            raise self.error(UnsupportedSyntaxError, node, f"the operator {SYMBOL_OF.get(op, op)} on arrays is not "
                             "supported in compiled code yet",
                             f"+ - * / // % ** and comparisons are; otherwise {JIT_HINT}")
        result = self.elementwise(op, [left, right], node, f"'{symbol}'")
        if op in SYMBOL_OF and op not in ("floordiv", "mod", "pow") \
                and not (result.compute.is_integer or result.compute.is_bool):  # type: ignore[attr-defined]
            raise self.error(CompileTypeError, node, f"'{symbol}' needs integer arrays, not "
                             f"{result.compute}", "NumPy raises TypeError (the bitwise ufuncs take integers)")  # type: ignore[attr-defined]
        if op in ("floordiv", "mod", "pow") and result.compute.is_complex:  # type: ignore[attr-defined]
            raise self.error(UnsupportedSyntaxError, node, f"'{symbol}' on complex arrays is not supported in "
                             "compiled code", JIT_HINT)
        return result

    def elementwise(self: FunctionBuilder, op: str, operands: list[Expr], node: ast.AST, what: str) -> Expr:
        bools = [(isinstance(e.type, ArrayT) and e.type.dtype.is_bool) or e.type == BOOL for e in operands]
        operands = [e if isinstance(e.type, ArrayT) or is_bool else self.arithmetic(e)
                    for e, is_bool in zip(operands, bools)]
        if all(bools):
            op, compute = self.bool_operation(op, node, what)
        else:
            # a bool operand takes the other's type (NumPy: bool promotes to every number type); a Python
            # number beside a bool array is NumPy's default type of its kind (int64, float64, complex128)
            types = [self.array_operand_type(e, node, what) for e, is_bool in zip(operands, bools) if not is_bool]
            t, weak = types[0]
            for u, w in types[1:]:
                t, weak = promote(t, weak, u, w)
            if weak and any(bools) and t.is_integer:
                t = INT64  # a Python int beside a bool array
            compute = t
        if op == "truediv" and (compute.is_integer or compute.is_bool):
            compute = FLOAT64
        if op in ("lt", "le", "gt", "ge") and compute.is_complex:
            raise self.error(CompileTypeError, node, "complex numbers have no order", "compare abs(z) or z.real")
        comparison = op in ("eq", "ne", "lt", "le", "gt", "ge")
        python_ints = [e for e in operands if e.type == INT and self.is_weak(e)]
        if comparison and compute.is_integer and not compute.is_bool and compute.bits < 64 and any(
                not (isinstance(e, Const) and fits(e.value, compute)) for e in python_ints):  # type: ignore[arg-type]
            # NumPy 2 compares a Python int with an integer array by value (int32_array < 2**40 is all True):
            # int64 holds every element and every int (a literal that fits the dtype keeps it)
            compute = INT64
        result = BY_NAME["bool_"] if comparison else compute
        assert isinstance(result, ScalarT)
        ndim = max(e.type.ndim for e in operands if isinstance(e.type, ArrayT))
        by_value = comparison and compute == BY_NAME["uint64"]
        # a Python int beside a uint64 array is compared by value too: it stays a signed int64 and the
        # lowering tests its sign (ArrayMap's one mixed-type case); a literal that fits uint64 is converted
        args = [e if isinstance(e.type, ArrayT) or (by_value and e.type == INT and self.is_weak(e) and not (
            isinstance(e, Const) and fits(e.value, compute))) else self.convert(e, compute, node) for e in operands]
        if python_ints and compute.is_integer and not compute.is_bool and compute != INT64 and not comparison:
            # in arithmetic a Python int must fit the array's integer type: NumPy's OverflowError ("Python
            # integer 300 out of bounds for uint8") rather than a wrapped operand (a literal is checked above)
            args = [FitInt(e, compute, self.loc(node)) if e.type == INT and self.is_weak(e)
                    and not isinstance(e, Const) else a for e, a in zip(operands, args)]
        return ArrayMap(op, args, compute, ArrayT(result, ndim, "C"), self.loc(node))  # type: ignore[arg-type]

    def bool_operation(self: FunctionBuilder, op: str, node: ast.AST, what: str) -> tuple[str, ScalarT]:
        """NumPy's operation and computing type for two bool operands: ``+`` is a logical or, ``*`` a
        logical and, ``/`` float64, ``//`` ``%`` ``**`` and shifts int8, ``-`` a TypeError."""
        if op == "sub":
            raise self.error(CompileTypeError, node, "numpy boolean subtract, the `-` operator, is not supported",
                             "use the `^` operator (NumPy raises TypeError)")
        if op in ("add", "mul", "bitand", "bitor", "bitxor", "invert", "abs"):
            return {"add": "bitor", "mul": "bitand"}.get(op, op), BOOL
        if op == "neg":
            raise self.error(CompileTypeError, node, "the numpy boolean negative, the `-` operator, is not supported",
                             "use the `~` operator or np.logical_not (NumPy raises TypeError)")
        if op in ("floordiv", "mod", "pow", "lshift", "rshift"):
            return op, BY_NAME["int8"]  # type: ignore[return-value]
        return op, BOOL  # comparisons; truediv becomes float64 in the caller

    def array_astype(self: FunctionBuilder, base: Expr, node: ast.Call, label: str) -> Expr:
        """``a.astype(dtype)``: a new C-contiguous array, each element converted as NumPy's ``astype`` does."""
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        t = base.type
        assert isinstance(t, ArrayT)
        dtype = self.dtype_argument(node.args[0], t.dtype, label)
        if t.dtype.is_complex and not dtype.is_complex:
            raise self.error(UnsupportedSyntaxError, node, f"{label}: converting a complex array to {dtype} is not "
                             "supported in compiled code (NumPy discards the imaginary part with a warning)",
                             "take a.real first (not supported either), or use @pyexec.jit")
        return ArrayMap("astype", [base], dtype, ArrayT(dtype, t.ndim, "C"), self.loc(node))

    def array_ufunc(self: FunctionBuilder, name: str, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        x = self.any_value(node.args[0])
        t = x.type
        if not isinstance(t, ArrayT):
            raise self.error(UnsupportedSyntaxError, node, f"{label}() of a number is not supported in compiled code",
                             f"use the math module (math.{'fabs' if name == 'abs' else name}) or abs() on numbers")
        d = t.dtype
        op = "abs" if name == "absolute" else name
        if d.is_complex or (d.is_bool and op != "abs") or (op != "abs" and d.is_integer and d.bits == 8):
            why = "NumPy gives float16 here" if d.is_integer else f"{d} arrays"
            raise self.error(UnsupportedSyntaxError, node, f"{label}() of a {t} array is not supported in compiled "
                             f"code ({why})", JIT_HINT)
        compute = d if (op == "abs" or d.is_float) else (BY_NAME["float32"] if d.bits == 16 else FLOAT64)
        assert isinstance(compute, ScalarT)
        return ArrayMap(op, [x], compute, ArrayT(compute, t.ndim, "C"), self.loc(node))  # type: ignore[arg-type]

    def matmul(self: FunctionBuilder, left: Expr, right: Expr, node: ast.AST, label: str) -> Expr:
        lt, rt = left.type, right.type
        if not (isinstance(lt, ArrayT) and isinstance(rt, ArrayT)) or lt.ndim > 2 or rt.ndim > 2:
            raise self.error(UnsupportedSyntaxError, node, f"{label} is supported in compiled code for 1-D and 2-D "
                             f"arrays, not {lt} and {rt}", JIT_HINT)
        (a, _), (b, _) = self.array_operand_type(left, node, label), self.array_operand_type(right, node, label)
        compute, _ = promote(a, False, b, False)
        if lt.ndim == rt.ndim == 1:
            return MatMul(left, right, compute, compute, self.loc(node))
        ndim = lt.ndim + rt.ndim - 2
        return MatMul(left, right, compute, ArrayT(compute, ndim, "C"), self.loc(node))

    # --- writing ---------------------------------------------------------------------------------

    def element_value(self: FunctionBuilder, value: Expr, t: ArrayT, node: ast.AST) -> Expr:
        """``value`` cast to the dtype as NumPy's setitem casts it."""
        vt = value.type
        if isinstance(vt, ArrayT):
            raise self.error(UnsupportedSyntaxError, node, "storing an array into an element is not supported",
                             "store one number per element")
        assert isinstance(vt, ScalarT)
        if vt.is_complex and not t.dtype.is_complex and not t.dtype.is_bool:
            raise self.error(CompileTypeError, node, f"a complex value cannot be stored in a {t.dtype} array",
                             "NumPy raises TypeError; store z.real or abs(z)")
        if isinstance(value, Const) and vt == INT and t.dtype.is_integer and not t.dtype.is_bool:
            info = t.dtype.info
            if not info.min_value <= value.value <= info.max_value:  # type: ignore[operator]
                raise self.error(CompileTypeError, node, f"Python integer {value.value} out of bounds for "
                                 f"{t.dtype}", "NumPy raises OverflowError here; convert explicitly "
                                 f"({t.dtype}({value.value}) wraps)")
        if self.is_weak(value) and t.dtype.is_integer and (vt.is_float or vt == INT) and \
                not (isinstance(value, Const) and vt == INT):
            # NumPy converts a Python number stored into an integer array with int() and checks its range
            # (OverflowError: "Python integer -1 out of bounds for uint8"); a NumPy number is cast (wraps).
            # A float literal too: a[0] = -72.5 into a uint32 array is NumPy's OverflowError (an int literal
            # was checked above, at compile time)
            if t.dtype == INT64:  # every int fits: int() of a float, then the array's type (the verifier's)
                return self.cast(self.cast(value, INT), INT64)
            return FitInt(value if vt.is_float else self.cast(value, INT), t.dtype, self.loc(node))
        d = t.dtype
        if vt.is_integer and d.is_integer and d.info.signed and (
                vt.bits > d.bits or (vt.bits == d.bits and not vt.info.signed)):
            # NumPy 2 stores a NumPy integer into a signed array that cannot hold it with OverflowError
            # ("Python integer 300 out of bounds for int8"); into an unsigned array it wraps (the cast below)
            return FitInt(value, d, self.loc(node))
        return self.cast(value, t.dtype)

    def assign_item(self: FunctionBuilder, target: ast.Subscript, value: Expr, node: ast.AST) -> Stmt:
        """``a[i, j] = value`` (the value is already evaluated, as Python evaluates it first)."""
        base = self.any_value(target.value)
        t = base.type
        if not isinstance(t, ArrayT):
            raise self.error(UnsupportedSyntaxError, target, "assigning to an item (x[i] = ...) is not supported on a "
                             f"value of type {t}", f"compiled code assigns to elements of arrays only; {JIT_HINT}")
        view = self.view_of(base, target)
        if view is not None:
            vt = value.type
            if isinstance(vt, ArrayT):
                tt = view.type
                assert isinstance(tt, ArrayT)
                if vt.ndim > tt.ndim:
                    raise self.error(CompileTypeError, node, f"a {vt} array cannot be assigned into a {tt} view",
                                     "NumPy raises ValueError: could not broadcast input array")
                if vt.dtype.is_complex and not tt.dtype.is_complex:
                    raise self.error(CompileTypeError, node, f"a complex array cannot be stored in a {tt.dtype} array",
                                     "store .real or abs(...) of it")
                return FillArray(view, value, self.loc(node))
            return FillArray(view, self.element_value(value, view.type, node), self.loc(node))  # type: ignore[arg-type]
        indices = self.indices(t, target)
        return SetItem(base, indices, self.element_value(value, t, node), True, self.loc(node))

    def augassign_item(self: FunctionBuilder, node: ast.AugAssign, op: str) -> list[Stmt]:
        """``a[i, j] op= v``: the array and the indices are evaluated once, then ``a[i, j] = a[i, j] op v``."""
        target = node.target
        assert isinstance(target, ast.Subscript)
        out: list[Stmt] = []
        base = self.array_value(target.value)
        if not isinstance(base, Name):
            local, assign = self.temp(base, target.value)
            out.append(assign)
            base = self.read(local, target.value)
        t = base.type
        assert isinstance(t, ArrayT)
        if self.view_of(base, target) is not None:
            raise self.error(UnsupportedSyntaxError, node, "augmented assignment to a slice (a[1:] += v) is not "
                             "supported in compiled code yet", "loop over the elements")
        indices = []
        for i in self.indices(t, target):
            if not isinstance(i, (Const, Name)):
                local, assign = self.temp(i, target)
                out.append(assign)
                i = self.read(local, target)
            indices.append(i)
        loc = self.loc(target)
        current = self.mark_numpy_bool(GetItem(base, indices, True, t.dtype, loc))
        value = self.arith(op, current, self.value(node.value), node)  # type: ignore[arg-type]
        out.append(SetItem(base, list(indices), self.element_value(value, t, node), True, self.loc(node)))
        return out

    # --- loops -----------------------------------------------------------------------------------

    def for_array(self: FunctionBuilder, node: ast.For) -> list[Stmt]:
        """``for x in a`` over a 1-D array: ``_arr = a; for _i in range(len(_arr)): x = _arr[_i]; body``."""
        it = node.iter
        maybe_array = isinstance(it, (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.BinOp)) or (
            isinstance(it, ast.Call)
            and isinstance(self.global_binding(it.func), (FunctionBinding, NumpyFunctionBinding)))
        array = self.any_value(it) if maybe_array else None
        if array is not None and array.type == STR:
            return self.for_str(node, array)
        if array is None or not isinstance(array.type, ArrayT):
            raise self.error(UnsupportedSyntaxError, it, "for loops are only supported over range(...), "
                             "arrays, strings, and enumerate(...) and zip(...) of ranges and arrays", JIT_HINT)
        name = self.target_name(node.target)
        loc = self.loc(node)
        held, first = self.temp(array, node.iter)
        index = self.synthetic_local(INT, node)
        n = ArrayShape(self.read(held, node.iter), 0, INT, loc)
        before = None if self.state is None else set(self.state)
        if self.state is not None:
            self.state.add(name)
        self.loops.append([])
        element = self.array_element(held, index, node.iter)
        body = [self.store(name, element, node, node.target), *self.block(node.body)]
        breaks = self.loops.pop()
        self.state = before
        orelse = self.block(node.orelse)
        from pyexec.frontend.irbuild.statements import merge

        self.state = merge(self.state, *breaks)
        return [first, ForRange(index, Const(0, INT, loc), n, Const(1, INT, loc), body, orelse, loc)]

    def array_element(self: FunctionBuilder, held: Local, index: Local, node: ast.AST) -> Expr:
        """What a loop over the array in ``held`` gives at ``index``: an element of a 1-D array, a row (a view
        of the array the loop started with) of an n-D one."""
        t = held.type
        assert isinstance(t, ArrayT)
        loc = self.loc(node)
        if t.ndim == 1:
            return self.mark_numpy_bool(GetItem(self.read(held, node), [self.read(index, node)], False, t.dtype, loc))
        rest: list[Expr | Slice] = [Slice(None, None, None, loc) for _ in range(t.ndim - 1)]
        return ArrayView(self.read(held, node), [self.read(index, node), *rest], ArrayT(t.dtype, t.ndim - 1, t.layout),
                         loc)

    def synthetic_local(self: FunctionBuilder, t: ScalarT | ArrayT, node: ast.AST) -> Local:
        taken = set(self.params) | self.local_names
        while f"_tmp{self.temp_count}" in taken:
            self.temp_count += 1
        name = f"_tmp{self.temp_count}"
        self.temp_count += 1
        return self.new_local(name, t, node, synthetic=True)

    def store_array(self: FunctionBuilder, var_type: ArrayT | ScalarT, value: Expr, node: ast.AST, what: str) -> Expr:
        """An array stored into a variable, a parameter or a return value: the types must be equal, but a
        C-contiguous array goes where any layout is expected."""
        vt = value.type
        if isinstance(vt, ArrayT) and isinstance(var_type, ArrayT) and vt.layout == "C" and var_type.layout == "A" \
                and (vt.dtype, vt.ndim) == (var_type.dtype, var_type.ndim):
            return ArrayCast(value, var_type, value.loc)
        if value.type != var_type:
            raise self.error(CompileTypeError, node, f"{what} has type {var_type}; a value of type {value.type} "
                             "cannot be stored in it", "a variable keeps one type; use a new name")
        return value


__all__ = ["ARRAY_SPELLING", "ArgumentType", "ArrayBuilder", "array_annotation", "partial_array_annotation",
           "type_of_argument"]
