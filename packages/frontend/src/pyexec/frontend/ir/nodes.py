"""The typed IR: the contract between the frontend and every backend.

Structured like the Python it comes from: a :class:`Module` of :class:`Function`
objects, each a list of statements over expressions. The frontend guarantees,
and the verifier checks, that:

- every expression has a type (``expr.type``) and a source location (``expr.loc``);
- every name is resolved: a :class:`Param` or :class:`Local` symbol, a module
  :class:`Function` (by name, through ``Module.functions``), an intrinsic;
- every implicit conversion is an explicit :class:`Cast`: the two operands of a
  :class:`BinOp` or :class:`Compare` have the same type, an assignment's value
  has the target's type, a call's arguments have the parameters' types, a
  return value has the function's return type, an ``if``/``while`` test is ``bool``;
- sugar is gone: augmented assignment, tuple assignment, unpacking of a tuple value
  (``a, b = f(x)``: one synthetic local, then an Assign of each :class:`TupleItem`)
  and ``divmod`` unpacking become plain :class:`Assign` statements (through fresh
  locals when Python evaluates something once), ``pass`` disappears, ``elif`` is a
  nested ``If``, ``enumerate``/``zip`` over ranges are a :class:`ForRange` with
  :class:`ZipRange` variables in step;
- a string is a value of type ``str`` (:class:`~pyexec.frontend.ir.types.StrT`), made and read by the
  ``Str*`` nodes below (a literal is a :class:`Const` of type ``str``);
- a value is a scalar or a tuple of scalars (:class:`~pyexec.frontend.ir.types.TupleT`):
  only names, calls, :class:`MakeTuple` and :class:`IfExp` have a tuple type, items are read with a
  constant index (:class:`TupleItem`), never by an operator.

Backends never look at Python's AST. Runtime semantics (what raises what) are in
DESIGN.md "Semantics" and in the docstrings of each node.

Example:
    >>> from pyexec.frontend.ir.nodes import Const, Loc
    >>> from pyexec.frontend.ir.types import INT
    >>> Const(value=3, type=INT, loc=Loc("f.py", 1, 0)).value
    3
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pyexec.frontend.ir.types import ArrayT, IRType, NoneT, ScalarT, StrT, TupleT, ValueT


@dataclass(frozen=True)
class Loc:
    """A place in the user's source: file, 1-based line, 0-based column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col + 1}"


# --- symbols ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Param:
    """A function parameter (``index`` is its position)."""

    name: str
    type: ValueT
    index: int
    loc: Loc


@dataclass(eq=False)
class Local:
    """A local variable. Locals the frontend makes itself (for ``a, b = b, a``) are ``synthetic``."""

    name: str
    type: ValueT
    loc: Loc
    synthetic: bool = False


Variable = Param | Local


# --- expressions -------------------------------------------------------------------------------


@dataclass(eq=False)
class Const:
    """A constant of a scalar type (int, float, bool or complex Python value), or a string for print."""

    value: int | float | bool | complex | str
    type: IRType
    loc: Loc


@dataclass(eq=False)
class Name:
    """Read a parameter or local variable."""

    var: Variable
    type: ValueT
    loc: Loc


CastKind = Literal["int", "float", "bool", "complex"]


@dataclass(eq=False)
class Cast:
    """Convert ``value`` to ``type``.

    Rules (CPython and NumPy are the oracle):
    - to a fixed-width int (``int8``…``uint64``): wraps modulo 2**bits; from a float,
      truncates toward zero (NaN/inf/out of range: NumPy's result is platform-defined,
      backends raise nothing);
    - to Python's ``int`` (``checked``): from a float, truncates, NaN raises ValueError,
      inf or a value outside int64 raises OverflowError; from ``uint64`` above int64's max,
      raises OverflowError; from any other int it is exact;
    - to ``bool``: truthiness (``x != 0``; NaN is true; a complex is true unless both parts are 0);
    - to a float: round to nearest; to complex: imaginary part 0.
    """

    value: Expr
    type: ScalarT
    loc: Loc


BinOpKind = Literal["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift",
                    "bitand", "bitor", "bitxor"]


@dataclass(eq=False)
class BinOp:
    """``left <op> right``; both operands have ``type`` (except ``pow``'s exponent, see below).

    Integer ``add sub mul lshift`` on Python's ``int`` raise OverflowError outside int64;
    fixed-width types wrap. ``floordiv``/``mod`` floor (Python's sign rules, ints and floats);
    any division or modulo by zero raises ZeroDivisionError (floats too). ``truediv`` only
    appears on floats (the frontend casts ints first). Shifts by a negative count raise
    ValueError. ``pow`` on ints with a negative exponent raises ValueError (the result would
    be a float in Python; see docs); float ``pow`` follows C's ``pow`` except that
    ``0.0 ** negative`` raises ZeroDivisionError and a negative base to a non-integer
    power raises ValueError (Python would return a complex).
    """

    op: BinOpKind
    left: Expr
    right: Expr
    type: ScalarT
    loc: Loc


UnaryOpKind = Literal["neg", "pos", "invert", "not"]


@dataclass(eq=False)
class UnaryOp:
    """``-x``, ``+x``, ``~x`` (ints and bools), ``not x`` (operand is bool, result is bool).

    ``-x`` on Python's ``int`` min value raises OverflowError.
    """

    op: UnaryOpKind
    operand: Expr
    type: ScalarT
    loc: Loc


CompareOpKind = Literal["eq", "ne", "lt", "le", "gt", "ge"]


@dataclass(eq=False)
class Compare:
    """A comparison chain ``a < b <= c``: ``operands[i] ops[i] operands[i+1]`` for every i,
    each operand evaluated at most once, left to right, stopping at the first false link.

    Link ``i`` compares in ``link_types[i]``; the result is ``bool``. Floats compare as IEEE (NaN is
    unequal to everything); complex only takes ``eq``/``ne``. Usually both operands of a link already
    have its type. The one implicit conversion of the IR is here, because an operand is evaluated once
    but may meet two links of different types (``i == j < x`` with ints ``i``, ``j`` and a float32
    ``x`` compares ``i == j`` as ints and ``j < x`` as float32): an operand whose type differs from a
    link's is converted by the backend for that link, an integer into an integer link *by value*
    (exactly: ``uint64`` 2**64-1 is greater than the ``int`` -1, as NumPy 2 compares them), anything
    else as a :class:`Cast` would convert it.
    """

    ops: list[CompareOpKind]
    operands: list[Expr]
    link_types: list[ScalarT]
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class BoolOp:
    """``a and b and …`` / ``a or b or …`` with Python's value semantics: the result is the
    first operand that decides (``and``: the first falsy one, else the last; ``or``: the first
    truthy one, else the last), evaluated left to right and no further. All ``values`` have ``type``.
    """

    op: Literal["and", "or"]
    values: list[Expr]
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class IfExp:
    """``body if test else orelse``; ``test`` is bool, both branches have ``type``."""

    test: Expr
    body: Expr
    orelse: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class Call:
    """A call of a function of the same module (``Module.functions[callee]``)."""

    callee: str
    args: list[Expr]
    type: ValueT | NoneT
    loc: Loc


IntrinsicName = Literal[
    # builtins
    "abs", "min", "max", "round", "round_ndigits",
    # math (float64 or float32 arguments; results as in CPython's math module)
    "math.sqrt", "math.exp", "math.log", "math.log2", "math.log10", "math.log1p", "math.expm1",
    "math.sin", "math.cos", "math.tan", "math.asin", "math.acos", "math.atan", "math.atan2",
    "math.sinh", "math.cosh", "math.tanh", "math.floor", "math.ceil", "math.trunc", "math.fabs",
    "math.hypot", "math.pow", "math.fmod", "math.copysign", "math.isnan", "math.isinf", "math.isfinite",
    "math.asinh", "math.acosh", "math.atanh", "math.cbrt", "math.exp2", "math.erf", "math.erfc", "math.gamma",
    "math.lgamma", "math.log_base", "math.isclose", "math.remainder", "math.ldexp",
    # math on Python ints (int arguments, int result; outside int64 is OverflowError)
    "math.factorial", "math.isqrt", "math.comb", "math.perm", "math.gcd", "math.lcm", "pow_mod",
    # complex
    "complex.real", "complex.imag", "complex.conjugate", "complex.abs", "complex.make", "complex.numpy_div",
    "complex.numpy_pow",
]


@dataclass(eq=False)
class Intrinsic:
    """A builtin or ``math`` function, or a complex attribute, applied to typed arguments.

    Argument and result types are explicit (the frontend inserts casts). Semantics are
    CPython's: ``math.sqrt(-1.0)`` and ``math.log(0.0)`` raise ValueError ("math domain
    error"), ``math.exp(1000.0)`` raises OverflowError, ``math.floor``/``ceil``/``trunc`` and
    one-argument ``round`` return ``int`` (so NaN raises ValueError, inf OverflowError), ``round``
    rounds half to even, ``min``/``max`` take two or more arguments of one type and return the
    first extreme one. ``math.gamma``/``lgamma`` are CPython's own (Lanczos) algorithms, with its
    errors (``gamma(0)`` and ``lgamma(-1)`` ValueError, ``gamma(200)`` OverflowError). The int
    functions raise CPython's ValueErrors (``factorial(-1)``, ``isqrt(-1)``, ``comb(-1, 2)``,
    ``pow_mod`` with modulus 0 or a base with no inverse) and OverflowError for a result outside
    int64. ``math.isclose`` raises ValueError for a negative tolerance.
    """

    name: IntrinsicName
    args: list[Expr]
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class MakeTuple:
    """``(a, b, …)``: a tuple value; ``items[i].type == type.items[i]``, evaluated left to right.

    A tuple of scalars is a plain value (no heap block, no reference count): backends build it in
    registers and copy it like a scalar.
    """

    items: list[Expr]
    type: TupleT
    loc: Loc


@dataclass(eq=False)
class TupleItem:
    """``value[index]`` with a constant ``index`` in ``0 <= index < len(value.type.items)`` (the frontend
    normalises negative indices and refuses an index out of range, which CPython would raise)."""

    value: Expr
    index: int
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class ArrayShape:
    """The extent of ``array`` along ``axis`` (``len(a)`` is axis 0, ``a.shape[k]``); type ``int``."""

    array: Expr
    axis: int
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class ArraySize:
    """``a.size``: the product of the extents; type ``int``."""

    array: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class GetItem:
    """``array[i, j, ...]``: one element, with one ``int`` index per axis (``type`` is the dtype).

    A negative index counts from the end, as in Python. With ``boundscheck`` an index outside
    ``-n <= i < n`` raises IndexError("index 5 is out of bounds for axis 0 with size 5"), NumPy's
    message; without it (the frontend's own loops over an array) the index is known to be in range.
    """

    array: Expr
    indices: list[Expr]
    boundscheck: bool
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class FitInt:
    """A Python number (``value``: an ``int``, or a Python ``float``, ``float64``) becoming a NumPy fixed-width
    integer ``type`` where NumPy checks instead of wrapping (storing into an integer array: ``a[0] = x``):
    a float goes through ``int()`` first (NaN: ValueError; inf or outside int64: OverflowError), then
    OverflowError("Python integer 300 out of bounds for uint8") unless ``type`` holds the value. As the
    whole value of a :class:`SetItem`, the conversion happens after the index is checked (NumPy's order).
    ``value`` may also be a NumPy integer stored into a signed array that cannot hold all its values:
    NumPy 2 checks those too (into an unsigned array it wraps)."""

    value: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class ArrayNew:
    """A new C-contiguous array (``np.empty/zeros/ones/full`` and their ``_like`` forms): one ``int`` extent
    per axis in ``shape``, every element set to ``fill`` (of the dtype), or left as found when ``fill`` is
    None (``np.empty``). A negative extent raises ValueError("negative dimensions are not allowed"), a
    size past the address space ValueError("array is too big; ..."), as NumPy does."""

    shape: list[Expr]
    fill: Expr | None
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class ArrayRange:
    """``np.arange(start, stop, step)`` (1-D, C-contiguous): ``start``, ``stop`` and ``step`` have the dtype,
    ``int64`` or ``float64``. Its length is ``ceil((stop - start) / step)`` (at least 0) and element ``i``
    is ``start + i * delta`` with ``delta = (start + step) - start``, NumPy's fill; a zero step raises
    ZeroDivisionError("division by zero")."""

    start: Expr
    stop: Expr
    step: Expr
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class ArrayCast:
    """A C-contiguous array used where any layout is expected (``float64[::1]`` as ``float64[:]``): the same
    array (dtype and dimensions equal), only its static type forgets the contiguity."""

    value: Expr
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class Slice:
    """One axis of a view: ``start:stop:step`` (each an ``int`` or None for Python's default)."""

    start: Expr | None
    stop: Expr | None
    step: Expr | None
    loc: Loc


@dataclass(eq=False)
class ArrayView:
    """``a[1:-1]``, ``a[::2]``, ``a[i, :]``, ``a[:, j]``, ``a[i]`` of a 2-D array: a view sharing ``array``'s
    memory. ``items`` has one entry per axis of ``array`` (the frontend fills missing trailing axes with
    ``:``): an ``int`` index (checked like :class:`GetItem`'s, and its axis disappears) or a
    :class:`Slice` (Python's slice rules, clamped to the axis; a zero step raises ValueError("slice step
    cannot be zero")). The view keeps ``array``'s owner: a view of a new array carries that array's
    reference."""

    array: Expr
    items: list[Expr | Slice]
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class Transpose:
    """``a.T``: the same memory with the axes in reverse order."""

    array: Expr
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class ArrayCopy:
    """``a.copy()`` (``np.copy(a)``): a new C-contiguous array with ``array``'s elements."""

    array: Expr
    type: ArrayT
    loc: Loc


ReduceKind = Literal["sum", "prod", "min", "max", "mean", "argmin", "argmax"]


@dataclass(eq=False)
class Reduce:
    """A whole-array reduction (``a.sum()``, ``np.max(a)``, …) with NumPy's result types: ``sum``/``prod`` of
    a bool or signed integer array are ``int64``, of an unsigned one ``uint64``, of floats and complex their
    own type; ``mean`` is ``float64`` for integers and bools; ``min``/``max`` keep the dtype and propagate
    NaN; ``argmin``/``argmax`` are the first extreme element's C-order index (``int64``; a NaN is the
    extreme). ``min``/``max``/``argmin``/``argmax`` of an empty array raise NumPy's ValueError; ``mean`` of
    one is NaN. Floating sums may round differently from NumPy's pairwise summation. With ``axis`` (a valid
    axis of ``array``) the reduction runs along that axis only and ``type`` is a new C-contiguous array of
    the other axes (a 1-D array reduced along its axis gives a scalar, as in NumPy); an index from
    ``argmin``/``argmax`` then counts along that axis, and an empty reduced axis raises for those four."""

    op: ReduceKind
    array: Expr
    type: ScalarT | ArrayT
    loc: Loc
    axis: int | None = None


@dataclass(eq=False)
class LinSpace:
    """``np.linspace(start, stop, num)`` (``float64`` bounds, an ``int`` count): NumPy's values, element ``i``
    is ``start + i * step`` with ``step = (stop - start) / (num - 1)`` and the last one exactly ``stop``
    (when ``step`` is 0, ``start + i / (num - 1) * (stop - start)``); a negative ``num`` raises NumPy's
    ValueError."""

    start: Expr
    stop: Expr
    num: Expr
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class Eye:
    """``np.eye(n, m)``: a new C-contiguous ``n`` × ``m`` array of zeros with ones on the main diagonal (negative
    extents raise NumPy's ValueError); ``cols`` None is ``np.eye(n)``, square."""

    rows: Expr
    cols: Expr | None
    type: ArrayT
    loc: Loc


ArrayOpKind = Literal["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "bitand",
                      "bitor", "bitxor", "neg", "invert", "astype", "eq", "ne", "lt", "le", "gt",
                      "ge", "sqrt", "exp", "log", "sin", "cos", "tan", "abs"]


@dataclass(eq=False)
class ArrayMap:
    """Elementwise ``a + b``, ``a * 2.0``, ``a < b``, ``-a``, ``np.sqrt(a)``, … over arrays and scalars with
    NumPy's broadcasting: a new C-contiguous array of ``type`` whose shape is the operands' broadcast shape
    (ValueError("operands could not be broadcast together") when two extents differ and neither is 1). Every
    operand's element (or the scalar) is converted to ``compute`` first, as :class:`Cast` converts; then the
    operation runs with NumPy's array semantics: integers wrap, a float division by zero gives inf or NaN (no
    exception), an integer ``//`` or ``%`` by zero gives 0, ``//``/``%`` of floats follow NumPy's ``divmod``,
    an integer ``**`` a negative integer raises ValueError (NumPy's message), shifts by the width or more give
    0 (-1 for ``>>`` of a negative number), ``sqrt``/``log`` of a negative
    number give NaN; comparisons give ``bool_``. ``invert`` is ``~`` (a logical not of ``bool_``), ``astype``
    the conversion alone (``a.astype(t)``). With ``compute`` ``bool_`` only ``bitand``/``bitor``/``bitxor``
    and comparisons occur: the frontend writes NumPy's ``+`` and ``*`` of bool arrays as ``|`` and ``&``.
    One operand may differ from ``compute``: a comparison in ``uint64`` may take a Python ``int`` (signed
    int64) as it is, compared by value as NumPy 2 compares it (a negative int is below every element)."""

    op: ArrayOpKind
    args: list[Expr]
    compute: ScalarT
    type: ArrayT
    loc: Loc


@dataclass(eq=False)
class MatMul:
    """``a @ b`` and ``np.dot(a, b)`` for 1-D·1-D (a scalar), 2-D·1-D and 2-D·2-D, in ``compute`` (the operands'
    promoted dtype); ``type`` is ``compute`` or a new C-contiguous array of it. Mismatched inner dimensions
    raise ValueError, as NumPy's do."""

    left: Expr
    right: Expr
    compute: ScalarT
    type: ScalarT | ArrayT
    loc: Loc


# --- strings (type str: pyexec.memory's string layout, UTF-8; indices count code points) ----------


@dataclass(eq=False)
class StrConcat:
    """``left + right`` of two strings (a new string). ``s = s + t`` and ``s += t`` into a local that holds
    the only reference append in place (amortised growth, as CPython does for a string nobody else holds)."""

    left: Expr
    right: Expr
    type: StrT
    loc: Loc


@dataclass(eq=False)
class StrRepeat:
    """``value * count`` (``count * value`` too; ``count`` an ``int``): a negative count gives ``''``; a
    result over 2**31 - 2 bytes raises MemoryError (CPython: OverflowError or MemoryError)."""

    value: Expr
    count: Expr
    type: StrT
    loc: Loc


@dataclass(eq=False)
class StrLen:
    """``len(s)``: the number of code points (O(1) for an ASCII string, O(n) otherwise)."""

    value: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class StrIndex:
    """``s[i]`` (``i`` an ``int``; negative counts from the end): a one-character string; IndexError
    ("string index out of range") outside the string."""

    value: Expr
    index: Expr
    type: StrT
    loc: Loc


@dataclass(eq=False)
class StrSlice:
    """``s[start:stop:step]`` by code point, Python's slice rules (a zero step is ValueError)."""

    value: Expr
    slice: Slice
    type: StrT
    loc: Loc


@dataclass(eq=False)
class StrCompare:
    """One comparison of two strings (``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=``): code point order, which is
    UTF-8 byte order. A chain ``a < b < c`` is an ``and`` of links over safe middle operands."""

    op: CompareOpKind
    left: Expr
    right: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class StrContains:
    """``needle in haystack`` (``negate``: ``not in``): whether ``needle`` is a substring."""

    needle: Expr
    haystack: Expr
    negate: bool
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class StrTruth:
    """``bool(s)`` as ``if s:`` tests it: the string is not empty."""

    value: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class StrOrd:
    """``ord(s)``: the code point of a one-character string; TypeError("ord() expected a character, but
    string of length N found") otherwise."""

    value: Expr
    type: ScalarT
    loc: Loc


@dataclass(eq=False)
class StrChr:
    """``chr(i)``: the one-character string of code point ``i``; ValueError("chr() arg not in
    range(0x110000)") outside it. A surrogate code point (0xD800-0xDFFF), which CPython allows, is refused
    with ValueError too: a compiled string is valid UTF-8."""

    value: Expr
    type: StrT
    loc: Loc


Expr = (
    Const | Name | Cast | BinOp | UnaryOp | Compare | BoolOp | IfExp | Call | Intrinsic | MakeTuple | TupleItem
    | ArrayShape | ArraySize | GetItem | FitInt | ArrayNew | ArrayRange | ArrayCast | ArrayView | Transpose
    | ArrayCopy | Reduce | ArrayMap | MatMul | Eye | LinSpace
    | StrConcat | StrRepeat | StrLen | StrIndex | StrSlice | StrCompare | StrContains | StrTruth | StrOrd | StrChr
)


# --- statements --------------------------------------------------------------------------------


@dataclass(eq=False)
class Assign:
    """``target = value``; ``value.type == target.type``."""

    target: Variable
    value: Expr
    loc: Loc


@dataclass(eq=False)
class If:
    test: Expr
    body: list[Stmt]
    orelse: list[Stmt]
    loc: Loc


@dataclass(eq=False)
class While:
    """``while test: body`` then ``orelse`` when the loop ends without ``break``."""

    test: Expr
    body: list[Stmt]
    orelse: list[Stmt]
    loc: Loc


@dataclass(eq=False)
class ZipRange:
    """A range that a :class:`ForRange` walks in step with its own (``zip``, ``enumerate``).

    ``var`` takes ``start``, ``start + step``, … like the loop's variable. ``stop`` is None for
    ``enumerate``'s counter, which never ends the loop (an ``int`` counter past int64 raises
    OverflowError); otherwise the loop stops at the shortest range, as ``zip`` does.
    """

    var: Variable
    start: Expr
    stop: Expr | None
    step: Expr
    loc: Loc


@dataclass(eq=False)
class ForRange:
    """``for var in range(start, stop, step): body`` then ``orelse`` unless broken out of.

    ``start``, ``stop`` and ``step`` have ``var.type`` and are evaluated once, before the
    loop; a zero step raises ValueError("range() arg 3 must not be zero"). The loop runs
    over Python's range exactly (any step sign, no overflow at the ends); ``var`` keeps its
    last value after the loop, and is unchanged if the range is empty.

    ``zipped`` ranges advance with it (``for i, x in enumerate(range(n))``, ``for x, y in
    zip(range(a), range(b))``): each one's start, stop and step are evaluated (and a zero step
    refused) after the loop's own, in order; the loop runs as many times as its shortest range.
    """

    var: Variable
    start: Expr
    stop: Expr
    step: Expr
    body: list[Stmt]
    orelse: list[Stmt]
    loc: Loc
    zipped: list[ZipRange] = field(default_factory=list)


@dataclass(eq=False)
class Break:
    loc: Loc


@dataclass(eq=False)
class Continue:
    loc: Loc


@dataclass(eq=False)
class Return:
    """``return value``; ``value`` is None only in a function returning None."""

    value: Expr | None
    loc: Loc


@dataclass(eq=False)
class ExprStmt:
    """An expression evaluated for its effects (a call, a print)."""

    value: Expr
    loc: Loc


@dataclass(eq=False)
class Assert:
    """``assert test, message``: raises AssertionError(message) when ``test`` (bool) is false.

    ``message`` is a string literal's text, or a scalar expression evaluated only when the test fails
    (as CPython does); the AssertionError's message is then ``str()`` of its value, as ``print`` writes it.
    """

    test: Expr
    message: str | Expr | None
    loc: Loc


@dataclass(eq=False)
class Print:
    """``print(*args, sep=sep, end=end)``: each argument is a scalar or a string, written
    as CPython's ``str()`` writes it (floats as ``repr``, complex as ``(1+2j)``, bools as True/False).
    """

    args: list[Expr]
    sep: str
    end: str
    loc: Loc


@dataclass(eq=False)
class SetItem:
    """``array[i, j, ...] = value``: ``value`` has the array's dtype (the frontend casts it as NumPy's
    setitem does); indices as in :class:`GetItem`. Python's order: ``value`` is evaluated first, then
    ``array``, then the indices."""

    array: Expr
    indices: list[Expr]
    value: Expr
    boundscheck: bool
    loc: Loc


@dataclass(eq=False)
class FillArray:
    """``a[1:3] = v``, ``a[i, :] = b``: every element of the view ``target`` set to ``value``: a number of the
    dtype (the frontend casts as :class:`SetItem` does), or an array broadcast to the target's shape (its
    elements cast to the dtype as :class:`Cast` converts; ValueError("could not broadcast input array into
    the target's shape") otherwise). ``value`` is evaluated first, as in Python; when the source array
    overlaps the target in memory it is read in full before anything is written (NumPy's result)."""

    target: Expr
    value: Expr
    loc: Loc


@dataclass(eq=False)
class ForStr:
    """``for var in value:`` over a string's characters: ``value`` is a name (the frontend keeps the iterated
    string in a synthetic local, as Python's iterator keeps it); ``var`` (a ``str`` variable) takes each
    one-character string in turn."""

    var: Variable
    value: Expr
    body: list[Stmt]
    orelse: list[Stmt]
    loc: Loc


Stmt = (Assign | If | While | ForRange | Break | Continue | Return | ExprStmt | Assert | Print | SetItem | FillArray
        | ForStr)


# --- functions and modules ---------------------------------------------------------------------


@dataclass(eq=False)
class Function:
    """One compiled function: its signature, every local it uses, and its body."""

    name: str
    params: list[Param]
    return_type: ValueT | NoneT
    locals: list[Local]
    body: list[Stmt]
    loc: Loc
    docstring: str | None = None


@dataclass(eq=False)
class Module:
    """Functions compiled together: calls between them, and recursion, resolve by name."""

    functions: dict[str, Function] = field(default_factory=dict)
    source_file: str = "<unknown>"
