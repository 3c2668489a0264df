"""The IR verifier: checks every invariant listed in :mod:`pyexec.frontend.ir.nodes`.

Run on every module the tests build; a tool that builds IR by hand can run it too. A failure is an
:class:`IRVerifyError` naming the function, the place and the broken rule.

Example:
    >>> from pyexec.frontend import analyze_source
    >>> verify_module(analyze_source("def f(x: int) -> int:\\n    return x + 1\\n")) is None
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pyexec.frontend.diagnostics import IRVerifyError
from pyexec.frontend.ir.intrinsic_rules import INTRINSIC_NAMES
from pyexec.frontend.ir.nodes import (
    ArrayCast,
    ArrayCopy,
    ArrayMap,
    ArrayNew,
    ArrayRange,
    ArrayShape,
    ArraySize,
    ArrayView,
    Assert,
    Assign,
    BinOp,
    BoolOp,
    Break,
    Call,
    Cast,
    Compare,
    Const,
    Continue,
    Expr,
    ExprStmt,
    Eye,
    FillArray,
    FitInt,
    ForRange,
    ForStr,
    Function,
    GetItem,
    If,
    IfExp,
    Intrinsic,
    LinSpace,
    Loc,
    Local,
    MakeTuple,
    MatMul,
    Module,
    Name,
    Param,
    Print,
    Reduce,
    Return,
    SetItem,
    Slice,
    Stmt,
    StrChr,
    StrCompare,
    StrConcat,
    StrContains,
    StrIndex,
    StrLen,
    StrOrd,
    StrRepeat,
    StrSlice,
    StrTruth,
    Transpose,
    TupleItem,
    UnaryOp,
    While,
)
from pyexec.frontend.ir.string_ops import METHODS, StrFormat, StrMethod
from pyexec.frontend.ir.types import (
    BOOL,
    COMPLEX64,
    COMPLEX128,
    FLOAT32,
    FLOAT64,
    INT,
    NONE,
    STR,
    ArrayT,
    ScalarT,
    StrT,
    TupleT,
    reduction_type,
)

_COMPONENT = {COMPLEX64: FLOAT32, COMPLEX128: FLOAT64}
_INT_OPS = ("lshift", "rshift", "bitand", "bitor", "bitxor")


def _is_value_type(t: object) -> bool:
    """A type a variable, parameter or return value may have: a scalar, an array, or a tuple of one or more
    scalars."""
    if isinstance(t, TupleT):
        return len(t.items) > 0 and all(isinstance(i, ScalarT) for i in t.items)
    return isinstance(t, (ScalarT, ArrayT, StrT))


class _Verifier:
    def __init__(self, module: Module, fn: Function) -> None:
        self.module = module
        self.fn = fn
        self.vars: set[int] = {id(p) for p in fn.params} | {id(v) for v in fn.locals}
        self.loop_depth = 0

    def fail(self, where: object, message: str) -> IRVerifyError:
        loc = getattr(where, "loc", None)
        at = f" at {loc}" if isinstance(loc, Loc) else ""
        return IRVerifyError(f"function '{self.fn.name}'{at}: {type(where).__name__}: {message}")

    def check_function(self) -> None:
        fn = self.fn
        for i, p in enumerate(fn.params):
            if not isinstance(p, Param) or p.index != i or not _is_value_type(p.type):
                raise self.fail(fn, f"parameter {i} ({getattr(p, 'name', p)!r}) is malformed")
        names = [p.name for p in fn.params] + [v.name for v in fn.locals]
        if len(set(names)) != len(names):
            raise self.fail(fn, f"duplicate parameter or local names in {names}")
        for v in fn.locals:
            if not isinstance(v, Local) or not _is_value_type(v.type):
                raise self.fail(fn, f"local {getattr(v, 'name', v)!r} is malformed")
        if not (_is_value_type(fn.return_type) or fn.return_type == NONE):
            raise self.fail(fn, f"bad return type {fn.return_type!r}")
        self.block(fn.body)

    # --- statements ----------------------------------------------------------------------------

    def block(self, stmts: list[Stmt]) -> None:
        for s in stmts:
            check = _STMTS.get(type(s))
            if check is None:
                raise self.fail(s, "not a statement node")
            if not isinstance(getattr(s, "loc", None), Loc):
                raise self.fail(s, "missing source location")
            check(self, s)

    def var(self, where: object, var: object) -> None:
        if id(var) not in self.vars:
            raise self.fail(where, f"variable {getattr(var, 'name', var)!r} is not a parameter or local")

    def assign(self, s: Assign) -> None:
        self.var(s, s.target)
        self.same(s, self.expr(s.value, array=True), s.target.type, f"value assigned to '{s.target.name}'")

    def fill_array(self, s: FillArray) -> None:
        t = self.expr(s.target, array=True)
        if not isinstance(t, ArrayT):
            raise self.fail(s, f"fills a {t}, not an array")
        v = self.expr(s.value, array=True)
        if isinstance(v, ArrayT):
            if v.ndim > t.ndim:
                raise self.fail(s, f"copies a {v} into a {t}")
            return
        self.same(s, v, t.dtype, "fill value")

    def setitem(self, s: SetItem) -> None:
        t = self.array_indexed(s, s.array, s.indices)
        self.same(s, self.expr(s.value), t.dtype, "value stored in the array")

    def array_indexed(self, where: object, array: Expr, indices: list[Expr]) -> ArrayT:
        """An indexed array: an array expression and one ``int`` index per axis."""
        t = self.expr(array, array=True)
        if not isinstance(t, ArrayT):
            raise self.fail(where, f"indexes a value of type {t}, not an array")
        if len(indices) != t.ndim:
            raise self.fail(where, f"{len(indices)} indices for an array of {t.ndim} dimensions")
        for k, i in enumerate(indices):
            self.same(where, self.expr(i), INT, f"index {k}")
        return t

    def if_(self, s: If) -> None:
        self.same(s, self.expr(s.test), BOOL, "if test")
        self.block(s.body)
        self.block(s.orelse)

    def while_(self, s: While) -> None:
        self.same(s, self.expr(s.test), BOOL, "while test")
        self.loop(s.body)
        self.block(s.orelse)

    def for_(self, s: ForRange) -> None:
        self.var(s, s.var)
        if not isinstance(s.var.type, ScalarT) or not s.var.type.is_integer:
            raise self.fail(s, f"loop variable '{s.var.name}' has non-integer type {s.var.type}")
        for part, e in (("start", s.start), ("stop", s.stop), ("step", s.step)):
            self.same(s, self.expr(e), s.var.type, f"range {part}")
        for z in s.zipped:
            self.var(s, z.var)
            if not (isinstance(z.var.type, ScalarT) and z.var.type.is_integer):
                raise self.fail(s, f"zipped loop variable '{z.var.name}' has non-integer type {z.var.type}")
            for part, e in (("start", z.start), ("stop", z.stop), ("step", z.step)):
                if e is not None:
                    self.same(s, self.expr(e), z.var.type, f"zipped range {part}")
            if z.stop is None and not (isinstance(z.step, Const) and z.step.value == 1):
                raise self.fail(s, "a zipped counter (no stop) must step by 1")
        self.loop(s.body)
        self.block(s.orelse)

    def for_str(self, s: ForStr) -> None:
        self.var(s, s.var)
        self.same(s, s.var.type, STR, f"loop variable '{s.var.name}'")
        self.same(s, self.expr(s.value), STR, "iterated value")
        self.loop(s.body)
        self.block(s.orelse)

    def loop(self, body: list[Stmt]) -> None:
        self.loop_depth += 1
        self.block(body)
        self.loop_depth -= 1

    def jump(self, s: Break | Continue) -> None:
        if self.loop_depth == 0:
            raise self.fail(s, "outside a loop")

    def return_(self, s: Return) -> None:
        rt = self.fn.return_type
        if s.value is None:
            if rt != NONE:
                raise self.fail(s, f"returns nothing from a function returning {rt}")
            return
        if rt == NONE:
            raise self.fail(s, "returns a value from a function returning None")
        self.same(s, self.expr(s.value, array=True), rt, "return value")  # type: ignore[arg-type]

    def expr_stmt(self, s: ExprStmt) -> None:
        self.expr(s.value, allow_none=True, array=True)

    def assert_(self, s: Assert) -> None:
        self.same(s, self.expr(s.test), BOOL, "assert test")
        if s.message is not None and not isinstance(s.message, str):
            if not isinstance(self.expr(s.message), ScalarT):
                raise self.fail(s, "message is neither a string nor a scalar value")

    def print_(self, s: Print) -> None:
        if not isinstance(s.sep, str) or not isinstance(s.end, str):
            raise self.fail(s, "sep and end must be strings")
        for a in s.args:
            if isinstance(self.expr(a), TupleT):
                raise self.fail(s, "prints a tuple (print takes scalars and string constants)")

    # --- expressions ---------------------------------------------------------------------------

    def same(self, where: object, actual: object, expected: object, what: str) -> None:
        if actual != expected:
            raise self.fail(where, f"{what} has type {actual}, expected {expected}")

    def expr(self, e: Expr, allow_none: bool = False, array: bool = False) -> object:
        check = _EXPRS.get(type(e))
        if check is None:
            raise self.fail(e, "not an expression node")
        if not isinstance(getattr(e, "loc", None), Loc):
            raise self.fail(e, "missing source location")
        t = e.type
        if not (_is_value_type(t) or (allow_none and t == NONE and isinstance(e, Call))):
            raise self.fail(e, f"bad type {t!r}")
        if isinstance(t, TupleT) and not isinstance(e, _TUPLE_EXPRS):
            raise self.fail(e, f"has the tuple type {t}; only names, calls, tuple displays and if-else may")
        if isinstance(t, ArrayT) and not array:
            raise self.fail(e, f"bad type {t!r} (an array where a scalar is needed)")
        check(self, e)
        return t

    def const(self, e: Const) -> None:
        t = e.type
        if t == STR:
            if not isinstance(e.value, str):
                raise self.fail(e, f"value {e.value!r} is not a str")
            try:
                e.value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.fail(e, "a string constant with a lone surrogate (not valid UTF-8)") from None
            return
        assert isinstance(t, ScalarT)
        v = e.value
        ok = (
            (t.is_bool and isinstance(v, bool))
            or (t.is_integer and isinstance(v, int) and not isinstance(v, bool)
                and t.info.min_value is not None and t.info.max_value is not None
                and t.info.min_value <= v <= t.info.max_value)
            or (t.is_float and isinstance(v, float))
            or (t.is_complex and isinstance(v, complex))
        )
        if not ok:
            raise self.fail(e, f"value {v!r} is not a {t}")
        if t == FLOAT32 and math.isfinite(v) and abs(v) > 3.4028234663852886e38:  # type: ignore[arg-type]
            raise self.fail(e, f"value {v!r} is out of float32's range")

    def name(self, e: Name) -> None:
        self.var(e, e.var)  # an array read is allowed where the caller's expr(..., array=True) allows it
        self.same(e, e.type, e.var.type, f"read of '{e.var.name}'")

    def cast(self, e: Cast) -> None:
        if not isinstance(self.expr(e.value), ScalarT) or not isinstance(e.type, ScalarT):
            raise self.fail(e, "casts convert scalars only")

    def make_tuple(self, e: MakeTuple) -> None:
        if not isinstance(e.type, TupleT) or len(e.items) != len(e.type.items):
            raise self.fail(e, f"{len(e.items)} items for the type {e.type}")
        for i, (item, t) in enumerate(zip(e.items, e.type.items)):
            self.same(e, self.expr(item), t, f"item {i}")

    def tuple_item(self, e: TupleItem) -> None:
        t = self.expr(e.value)
        if not isinstance(t, TupleT):
            raise self.fail(e, f"indexes a {t}, not a tuple")
        if not (isinstance(e.index, int) and 0 <= e.index < len(t.items)):
            raise self.fail(e, f"index {e.index!r} is out of range for {t}")
        self.same(e, e.type, t.items[e.index], f"item {e.index}")

    def array_shape(self, e: ArrayShape) -> None:
        t = self.expr(e.array, array=True)
        if not isinstance(t, ArrayT) or not 0 <= e.axis < t.ndim:
            raise self.fail(e, f"axis {e.axis} of a value of type {t}")
        self.same(e, e.type, INT, "an extent")

    def array_size(self, e: ArraySize) -> None:
        if not isinstance(self.expr(e.array, array=True), ArrayT):
            raise self.fail(e, "size of a value that is not an array")
        self.same(e, e.type, INT, "a size")

    def array_new(self, e: ArrayNew) -> None:
        t = e.type
        if not isinstance(t, ArrayT) or t.layout != "C" or len(e.shape) != t.ndim:
            raise self.fail(e, f"makes a {t} from {len(e.shape)} extents (a new array is C-contiguous)")
        for k, x in enumerate(e.shape):
            self.same(e, self.expr(x), INT, f"extent {k}")
        if e.fill is not None:
            self.same(e, self.expr(e.fill), t.dtype, "fill value")

    def array_cast(self, e: ArrayCast) -> None:
        t, v = e.type, self.expr(e.value, array=True)
        if not (isinstance(t, ArrayT) and isinstance(v, ArrayT) and t.layout == "A" and v.layout == "C"
                and (t.dtype, t.ndim) == (v.dtype, v.ndim)):
            raise self.fail(e, f"{v} as {t}: only a C-contiguous array becomes the same array of any layout")

    def array_view(self, e: ArrayView) -> None:
        t = self.expr(e.array, array=True)
        if not isinstance(t, ArrayT) or len(e.items) != t.ndim:
            raise self.fail(e, f"a view of {t} with {len(e.items)} items (one per axis)")
        kept = 0
        for k, item in enumerate(e.items):
            if isinstance(item, Slice):
                kept += 1
                for part in (item.start, item.stop, item.step):
                    if part is not None:
                        self.same(e, self.expr(part), INT, f"a slice bound of axis {k}")
            else:
                self.same(e, self.expr(item), INT, f"index {k}")
        if not isinstance(e.type, ArrayT) or e.type.ndim != kept or e.type.dtype != t.dtype:
            raise self.fail(e, f"a view keeping {kept} axes of {t} cannot be {e.type}")

    def array_map(self, e: ArrayMap) -> None:
        if not isinstance(e.type, ArrayT) or not e.args:
            raise self.fail(e, f"an elementwise operation gives an array, not {e.type}")
        ndim = 0
        for a in e.args:
            t = self.expr(a, array=True)
            ndim = max(ndim, t.ndim if isinstance(t, ArrayT) else 0)
        if ndim != e.type.ndim or e.type.layout != "C":
            raise self.fail(e, f"operands of {ndim} dimensions cannot give {e.type}")

    def linspace(self, e: LinSpace) -> None:
        self.same(e, self.expr(e.start), FLOAT64, "start")
        self.same(e, self.expr(e.stop), FLOAT64, "stop")
        self.same(e, self.expr(e.num), INT, "num")
        if e.type != ArrayT(FLOAT64, 1, "C"):
            raise self.fail(e, f"np.linspace gives float64[::1], not {e.type}")

    def eye(self, e: Eye) -> None:
        self.same(e, self.expr(e.rows), INT, "rows")
        if e.cols is not None:
            self.same(e, self.expr(e.cols), INT, "columns")
        if not isinstance(e.type, ArrayT) or e.type.ndim != 2 or e.type.layout != "C":
            raise self.fail(e, f"np.eye gives a 2-D C-contiguous array, not {e.type}")

    def matmul(self, e: MatMul) -> None:
        lt, rt = self.expr(e.left, array=True), self.expr(e.right, array=True)
        if not (isinstance(lt, ArrayT) and isinstance(rt, ArrayT)) or lt.ndim > 2 or rt.ndim > 2:
            raise self.fail(e, f"matmul of {lt} and {rt}")

    def reduce(self, e: Reduce) -> None:
        t = self.expr(e.array, array=True)
        if not isinstance(t, ArrayT):
            raise self.fail(e, f"{e.op} of a {t}")
        scalar = reduction_type(e.op, t.dtype)
        if e.axis is not None and not 0 <= e.axis < t.ndim:
            raise self.fail(e, f"axis {e.axis} of {t}")
        expected = scalar if e.axis is None or t.ndim == 1 else ArrayT(scalar, t.ndim - 1, "C")  # type: ignore[arg-type]
        if scalar is None or e.type != expected:
            raise self.fail(e, f"{e.op} of {t} cannot give {e.type}")

    def transpose(self, e: Transpose) -> None:
        t = self.expr(e.array, array=True)
        if not isinstance(t, ArrayT) or (e.type != ArrayT(t.dtype, t.ndim, "C" if t.ndim == 1 else "A") \
                and e.type != ArrayT(t.dtype, t.ndim, "A")):
            raise self.fail(e, f"the transpose of {t} cannot be {e.type}")

    def array_copy(self, e: ArrayCopy) -> None:
        t = self.expr(e.array, array=True)
        if not isinstance(t, ArrayT) or e.type != ArrayT(t.dtype, t.ndim, "C"):
            raise self.fail(e, f"a copy of {t} is a C-contiguous array of its dtype, not {e.type}")

    def array_range(self, e: ArrayRange) -> None:
        t = e.type
        if not isinstance(t, ArrayT) or t.ndim != 1 or t.layout != "C" or t.dtype.name not in ("int64", "float64"):
            raise self.fail(e, f"arange makes a 1-D int64 or float64 array, not {t}")
        for part in (e.start, e.stop, e.step):
            self.same(e, self.expr(part), INT if t.dtype.is_integer else FLOAT64, "an arange bound")

    def fit_int(self, e: FitInt) -> None:
        t = self.expr(e.value)
        if t not in (INT, FLOAT64) and not (isinstance(t, ScalarT) and t.is_integer):
            raise self.fail(e, f"fits a {e.value.type}; it takes an integer or a float64")
        if not e.type.is_integer or e.type.checked:
            raise self.fail(e, f"fits an int into {e.type}, not a fixed-width integer")

    def getitem(self, e: GetItem) -> None:
        t = self.array_indexed(e, e.array, e.indices)
        self.same(e, e.type, t.dtype, "an element")

    def binop(self, e: BinOp) -> None:
        self.same(e, self.expr(e.left), e.type, f"left operand of {e.op}")
        self.same(e, self.expr(e.right), e.type, f"right operand of {e.op}")
        t = e.type
        assert isinstance(t, ScalarT)
        if e.op in _INT_OPS and not (t.is_integer or (t.is_bool and e.op.startswith("bit"))):
            raise self.fail(e, f"{e.op} on {t}")
        if e.op == "truediv" and not (t.is_float or t.is_complex):
            raise self.fail(e, f"truediv on {t} (the frontend casts ints to float first)")
        if e.op in ("floordiv", "mod") and t.is_complex:
            raise self.fail(e, f"{e.op} on complex")
        if t.is_bool and e.op not in ("bitand", "bitor", "bitxor"):
            raise self.fail(e, f"{e.op} on bool (bools are cast to int for arithmetic)")

    def unaryop(self, e: UnaryOp) -> None:
        t = self.expr(e.operand)
        if e.op == "not":
            self.same(e, t, BOOL, "operand of not")
            self.same(e, e.type, BOOL, "result of not")
            return
        self.same(e, t, e.type, f"operand of {e.op}")
        assert isinstance(t, ScalarT)
        if e.op == "invert" and not t.is_integer:
            raise self.fail(e, f"invert on {t}")
        if t.is_bool:
            raise self.fail(e, f"{e.op} on bool")

    def compare(self, e: Compare) -> None:
        if not (len(e.ops) >= 1 and len(e.operands) == len(e.ops) + 1 and len(e.link_types) == len(e.ops)):
            raise self.fail(e, "ops, operands and link_types do not line up")
        self.same(e, e.type, BOOL, "comparison result")
        types = [self.expr(o) for o in e.operands]
        for i, (op, t) in enumerate(zip(e.ops, e.link_types)):
            for side, operand in (("left", types[i]), ("right", types[i + 1])):
                if operand != t and not _converts_in_link(operand, t):
                    raise self.fail(e, f"{side} operand of link {i} is {operand}, which does not convert to {t}")
            if t.is_complex and op not in ("eq", "ne"):
                raise self.fail(e, f"{op} on complex")

    def boolop(self, e: BoolOp) -> None:
        if len(e.values) < 2:
            raise self.fail(e, "fewer than two values")
        for v in e.values:
            self.same(e, self.expr(v), e.type, f"{e.op} operand")

    def ifexp(self, e: IfExp) -> None:
        self.same(e, self.expr(e.test), BOOL, "test")
        self.same(e, self.expr(e.body), e.type, "true branch")
        self.same(e, self.expr(e.orelse), e.type, "false branch")

    # --- strings -------------------------------------------------------------------------------

    def str_operands(self, e: Expr, *parts: Expr) -> None:
        for part in parts:
            self.same(e, self.expr(part), STR, "string operand")

    def str_concat(self, e: StrConcat) -> None:
        self.str_operands(e, e.left, e.right)
        self.same(e, e.type, STR, "result")

    def str_repeat(self, e: StrRepeat) -> None:
        self.str_operands(e, e.value)
        self.same(e, self.expr(e.count), INT, "repeat count")
        self.same(e, e.type, STR, "result")

    def str_index(self, e: StrIndex) -> None:
        self.str_operands(e, e.value)
        self.same(e, self.expr(e.index), INT, "index")
        self.same(e, e.type, STR, "result")

    def str_slice(self, e: StrSlice) -> None:
        self.str_operands(e, e.value)
        for part in (e.slice.start, e.slice.stop, e.slice.step):
            if part is not None:
                self.same(e, self.expr(part), INT, "slice bound")
        self.same(e, e.type, STR, "result")

    def str_compare(self, e: StrCompare) -> None:
        self.str_operands(e, e.left, e.right)
        if e.op not in ("eq", "ne", "lt", "le", "gt", "ge"):
            raise self.fail(e, f"unknown comparison {e.op!r}")
        self.same(e, e.type, BOOL, "result")

    def str_contains(self, e: StrContains) -> None:
        self.str_operands(e, e.needle, e.haystack)
        self.same(e, e.type, BOOL, "result")

    def str_scalar(self, e: StrLen | StrTruth | StrOrd) -> None:
        self.str_operands(e, e.value)
        self.same(e, e.type, BOOL if isinstance(e, StrTruth) else INT, "result")

    def str_method(self, e: StrMethod) -> None:
        if e.method not in METHODS:
            raise self.fail(e, f"unknown string method {e.method!r}")
        result, kinds = METHODS[e.method]
        self.str_operands(e, e.value)
        if kinds == ("L",):
            self.str_operands(e, *e.args)
        else:
            fixed = [k for k in kinds if not k.endswith("?")]
            if not len(fixed) <= len(e.args) <= len(kinds):
                raise self.fail(e, f"passes {len(e.args)} arguments to str.{e.method}")
            for a, k in zip(e.args, kinds):
                self.same(e, self.expr(a), STR if k.startswith("s") else INT, f"argument of str.{e.method}")
        self.same(e, e.type, {"str": STR, "bool": BOOL, "int": INT}[result], "result")

    def str_format(self, e: StrFormat) -> None:
        t = self.expr(e.value)
        if not (t == STR or (isinstance(t, ScalarT) and (not t.is_complex or e.spec.text == ""))):
            raise self.fail(e, f"formats a value of type {t}")
        self.same(e, e.type, STR, "result")

    def str_chr(self, e: StrChr) -> None:
        self.same(e, self.expr(e.value), INT, "code point")
        self.same(e, e.type, STR, "result")

    def call(self, e: Call) -> None:
        callee = self.module.functions.get(e.callee)
        if callee is None:
            raise self.fail(e, f"calls '{e.callee}', which is not in the module")
        if len(e.args) != len(callee.params):
            raise self.fail(e, f"passes {len(e.args)} arguments to '{e.callee}', which takes {len(callee.params)}")
        for a, p in zip(e.args, callee.params):
            self.same(e, self.expr(a, array=True), p.type, f"argument '{p.name}'")
        self.same(e, e.type, callee.return_type, "call result")

    def intrinsic(self, e: Intrinsic) -> None:
        rule = INTRINSIC_NAMES.get(e.name)
        if rule is None:
            raise self.fail(e, f"unknown intrinsic {e.name!r}")
        types = [self.expr(a) for a in e.args]
        arity, result = rule
        if arity >= 0 and len(types) != arity:
            raise self.fail(e, f"{e.name} takes {arity} arguments, got {len(types)}")
        if arity < 0 and len(types) < 2:
            raise self.fail(e, f"{e.name} takes two or more arguments")
        t = e.type
        assert isinstance(t, ScalarT)
        expected = _expected_result(result, types, t)
        if expected is None or t != expected:
            raise self.fail(e, f"{e.name} with arguments ({', '.join(map(str, types))}) cannot give {t}")


def _expected_result(rule: str, types: list[object], t: ScalarT) -> ScalarT | None:
    first = types[0] if types else None
    if rule == "same":  # abs, min, max: one numeric type in, same out
        if any(x != first for x in types) or not isinstance(first, ScalarT) or first.is_complex:
            return None
        return first
    if rule in ("float", "int", "bool"):  # math functions on float64 arguments
        if any(x != FLOAT64 for x in types):
            return None
        return {"float": FLOAT64, "int": INT, "bool": BOOL}[rule]
    if rule == "int_int":  # factorial, isqrt, comb, perm, gcd, lcm, pow_mod: Python ints in and out
        return INT if all(x == INT for x in types) else None
    if rule == "ldexp":
        return FLOAT64 if types == [FLOAT64, INT] else None
    if rule == "isclose":
        return BOOL if all(x == FLOAT64 for x in types) else None
    if rule == "make_complex":
        return COMPLEX128 if types == [FLOAT64, FLOAT64] else None
    if rule == "round_ndigits":
        return FLOAT64 if types == [FLOAT64, INT] else None
    if rule == "component":  # complex.real / imag / abs
        return _COMPONENT.get(first)  # type: ignore[arg-type]
    if rule == "complex":  # complex.conjugate, complex.numpy_div
        if any(x != first for x in types):
            return None
        return first if first in _COMPONENT else None  # type: ignore[return-value]
    return None


_STMTS: dict[type, Callable[..., None]] = {
    Assign: _Verifier.assign, If: _Verifier.if_, While: _Verifier.while_, ForRange: _Verifier.for_,
    Break: _Verifier.jump, Continue: _Verifier.jump, Return: _Verifier.return_, ExprStmt: _Verifier.expr_stmt,
    Assert: _Verifier.assert_, Print: _Verifier.print_, SetItem: _Verifier.setitem, FillArray: _Verifier.fill_array,
    ForStr: _Verifier.for_str,
}
_EXPRS: dict[type, Callable[..., None]] = {
    StrMethod: _Verifier.str_method, StrFormat: _Verifier.str_format,
    Const: _Verifier.const, Name: _Verifier.name, Cast: _Verifier.cast, BinOp: _Verifier.binop,
    UnaryOp: _Verifier.unaryop, Compare: _Verifier.compare, BoolOp: _Verifier.boolop, IfExp: _Verifier.ifexp,
    Call: _Verifier.call, Intrinsic: _Verifier.intrinsic, MakeTuple: _Verifier.make_tuple,
    TupleItem: _Verifier.tuple_item, ArrayShape: _Verifier.array_shape,
    ArraySize: _Verifier.array_size, GetItem: _Verifier.getitem, FitInt: _Verifier.fit_int,
    ArrayNew: _Verifier.array_new, ArrayCast: _Verifier.array_cast, ArrayView: _Verifier.array_view,
    Transpose: _Verifier.transpose, ArrayCopy: _Verifier.array_copy, Reduce: _Verifier.reduce,
    ArrayMap: _Verifier.array_map, MatMul: _Verifier.matmul, Eye: _Verifier.eye,
    LinSpace: _Verifier.linspace,
    ArrayRange: _Verifier.array_range,
    StrConcat: _Verifier.str_concat, StrRepeat: _Verifier.str_repeat, StrIndex: _Verifier.str_index,
    StrSlice: _Verifier.str_slice, StrCompare: _Verifier.str_compare, StrContains: _Verifier.str_contains,
    StrLen: _Verifier.str_scalar, StrTruth: _Verifier.str_scalar, StrOrd: _Verifier.str_scalar,
    StrChr: _Verifier.str_chr,
}
_TUPLE_EXPRS = (Name, Call, MakeTuple, IfExp)
"""The expressions that may have a tuple type (operators, casts and intrinsics take scalars only)."""


def verify_function(module: Module, fn: Function) -> None:
    """Check one function of ``module``; raise :class:`IRVerifyError` on the first broken invariant."""
    _Verifier(module, fn).check_function()


def verify_module(module: Module) -> None:
    """Check every function of a module; raise :class:`IRVerifyError` on the first broken invariant."""
    for name, fn in module.functions.items():
        if fn.name != name:
            raise IRVerifyError(f"module key {name!r} holds function {fn.name!r}")
        verify_function(module, fn)


def _converts_in_link(operand: object, link: ScalarT) -> bool:
    """Whether a comparison link of type ``link`` may convert an operand of another type itself
    (nodes.Compare): numbers into a number type, never into or out of ``bool`` or complex to real."""
    if not isinstance(operand, ScalarT) or operand.is_bool or link.is_bool:
        return False
    return link.is_complex or not operand.is_complex
