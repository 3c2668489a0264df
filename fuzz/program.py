"""Generated programs as small trees that print two ways: as the source compilers see, and for the oracle.

The compilers get plain Python. The oracle gets the same tree with every arithmetic operator, unary
operator and comparison chain turned into a call of a helper of ``fuzz.oracle`` (``_bin("+", a, b)``),
which runs the operator in CPython on the same values and then applies the documented rules of pyexec's
``int`` (a 64-bit integer that raises OverflowError or wraps). Casts, builtins and ``math`` keep their names
in both; the oracle binds those names to checking versions.

Every expression carries its IR type (``"int8"``, ``"float64"``, …) and two flags: ``weak`` (the frontend
treats it as a weak Python number: a literal or an ``int``) and ``py`` (its value in CPython is a Python
``int``/``float``/``complex``/``bool`` rather than a NumPy scalar).

Example:
    >>> e = BinOp("+", Var("x", "int", weak=True, py=True), Const(1, "int"), "int", weak=True, py=True)
    >>> e.render(False), e.render(True)
    ('(x + 1)', "_bin('+', x, 1)")
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

INT_TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_TYPES = ["float32", "float64"]
COMPLEX_TYPES = ["complex64", "complex128"]
NUMPY_TYPES = INT_TYPES + FLOAT_TYPES + COMPLEX_TYPES
ALL_TYPES = ["bool", "int", *NUMPY_TYPES]


def kind(t: str) -> str:
    """``"bool"``, ``"int"`` (any integer), ``"float"`` or ``"complex"``."""
    if t == "bool":
        return "bool"
    if t == "int" or t in INT_TYPES:
        return "int"
    return "float" if t == "float" or t in FLOAT_TYPES else "complex"


def float_literal(v: float) -> str:
    if math.isnan(v):
        return "math.nan"
    if math.isinf(v):
        return "math.inf" if v > 0 else "(-math.inf)"
    return repr(v) if v >= 0 and not (v == 0 and math.copysign(1, v) < 0) else f"({v!r})"


class Expr(ABC):
    """An expression; ``type`` is its IR type name."""

    type: str
    weak: bool
    py: bool

    @abstractmethod
    def render(self, oracle: bool) -> str:
        """The expression's source: for the compiled program, or (``oracle``) for the CPython oracle."""

    def children(self) -> list[Expr]:
        return []

    def replace_child(self, i: int, new: Expr) -> Expr:
        """A copy with child ``i`` replaced (for the reducer); a leaf has no children to replace."""
        raise IndexError(f"{type(self).__name__} has no child {i}")


@dataclass
class Const(Expr):
    value: object
    type: str
    weak: bool = True
    py: bool = True

    def render(self, oracle: bool) -> str:
        v = self.value
        if isinstance(v, bool):
            return repr(v)
        if isinstance(v, int):
            return repr(v) if v >= 0 else f"({v})"
        if isinstance(v, float):
            return float_literal(v)
        assert isinstance(v, complex)  # finite parts, written as Python writes a complex literal
        sign = "-" if math.copysign(1.0, v.imag) < 0 else "+"
        return f"({v.real!r} {sign} {abs(v.imag)!r}j)"

    def replace_child(self, i: int, new: Expr) -> Expr:
        raise IndexError(i)


@dataclass
class Var(Expr):
    name: str
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        return self.name


@dataclass
class Cast(Expr):
    """``T(e)``: ``int8(x)``, ``int(x)``, ``float(x)``, ``bool(x)``, ``complex(x)``."""

    func: str
    arg: Expr
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        return f"{self.func}({self.arg.render(oracle)})"

    def children(self) -> list[Expr]:
        return [self.arg]

    def replace_child(self, i: int, new: Expr) -> Expr:
        return Cast(self.func, new, self.type, self.weak, self.py)


@dataclass
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        a, b = self.left.render(oracle), self.right.render(oracle)
        return f"_bin({self.op!r}, {a}, {b})" if oracle else f"({a} {self.op} {b})"

    def children(self) -> list[Expr]:
        return [self.left, self.right]

    def replace_child(self, i: int, new: Expr) -> Expr:
        parts = [self.left, self.right]
        parts[i] = new
        return BinOp(self.op, parts[0], parts[1], self.type, self.weak, self.py)


@dataclass
class Unary(Expr):
    op: str  # "-", "+", "~", "not"
    arg: Expr
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        a = self.arg.render(oracle)
        if self.op == "not":
            return f"(not {a})"
        return f"_unary({self.op!r}, {a})" if oracle else f"({self.op}{a})"

    def children(self) -> list[Expr]:
        return [self.arg]

    def replace_child(self, i: int, new: Expr) -> Expr:
        return Unary(self.op, new, self.type, self.weak, self.py)


@dataclass
class Compare(Expr):
    """A comparison chain ``a < b <= c``: each operand evaluated once, stopping at the first false link."""

    operands: list[Expr]
    ops: list[str]
    type: str = "bool"
    weak: bool = False
    py: bool = True

    def render(self, oracle: bool) -> str:
        parts = [o.render(oracle) for o in self.operands]
        if oracle:
            thunks = ", ".join(f"lambda: {p}" for p in parts)
            return f"_chain({self.ops!r}, {thunks})"
        out = parts[0]
        for op, p in zip(self.ops, parts[1:]):
            out += f" {op} {p}"
        return f"({out})"

    def children(self) -> list[Expr]:
        return list(self.operands)

    def replace_child(self, i: int, new: Expr) -> Expr:
        ops = list(self.operands)
        ops[i] = new
        return Compare(ops, list(self.ops), self.type, self.weak, self.py)


@dataclass
class BoolOp(Expr):
    """``a and b`` / ``a or b``: operands of one type, the deciding one is the value."""

    op: str
    left: Expr
    right: Expr
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        return f"({self.left.render(oracle)} {self.op} {self.right.render(oracle)})"

    def children(self) -> list[Expr]:
        return [self.left, self.right]

    def replace_child(self, i: int, new: Expr) -> Expr:
        parts = [self.left, self.right]
        parts[i] = new
        return BoolOp(self.op, parts[0], parts[1], self.type, self.weak, self.py)


@dataclass
class IfExp(Expr):
    cond: Expr
    then: Expr
    orelse: Expr
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        return f"({self.then.render(oracle)} if {self.cond.render(oracle)} else {self.orelse.render(oracle)})"

    def children(self) -> list[Expr]:
        return [self.cond, self.then, self.orelse]

    def replace_child(self, i: int, new: Expr) -> Expr:
        parts = [self.cond, self.then, self.orelse]
        parts[i] = new
        return IfExp(parts[0], parts[1], parts[2], self.type, self.weak, self.py)


@dataclass
class Call(Expr):
    """A call of a builtin, a ``math`` function or a generated function (``func`` as written)."""

    func: str
    args: list[Expr]
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        return f"{self.func}({', '.join(a.render(oracle) for a in self.args)})"

    def children(self) -> list[Expr]:
        return list(self.args)

    def replace_child(self, i: int, new: Expr) -> Expr:
        args = list(self.args)
        args[i] = new
        return Call(self.func, args, self.type, self.weak, self.py)


@dataclass
class Attr(Expr):
    """``z.real``, ``z.imag`` or ``z.conjugate()``."""

    arg: Expr
    attr: str
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        call = "()" if self.attr == "conjugate" else ""
        return f"{self.arg.render(oracle)}.{self.attr}{call}"

    def children(self) -> list[Expr]:
        return [self.arg]

    def replace_child(self, i: int, new: Expr) -> Expr:
        return Attr(new, self.attr, self.type, self.weak, self.py)


@dataclass
class Code(Expr):
    """An expression written as a template over sub-expressions, the same for compilers and the oracle:
    array operations (``"{0}[{1}]"``, ``"np.sqrt({0})"``, ``"({0} + {1})"`` of arrays), whose oracle is
    NumPy itself, and tuples (``"({0}, {1})"``). Array types are written ``"A:float64:1"`` (dtype, ndim),
    tuple types ``"T:int,float64"``."""

    template: str
    args: list[Expr]
    type: str
    weak: bool = False
    py: bool = False

    def render(self, oracle: bool) -> str:
        return self.template.format(*(a.render(oracle) for a in self.args))

    def children(self) -> list[Expr]:
        return list(self.args)

    def replace_child(self, i: int, new: Expr) -> Expr:
        args = list(self.args)
        args[i] = new
        return Code(self.template, args, self.type, self.weak, self.py)


def is_array_type(t: str) -> bool:
    return t.startswith("A:")


def is_tuple_type(t: str) -> bool:
    return t.startswith("T:")


def array_type(dtype: str, ndim: int) -> str:
    """The pseudo-type of an array: ``array_type("float64", 2) == "A:float64:2"``."""
    return f"A:{dtype}:{ndim}"


def parse_array_type(t: str) -> tuple[str, int]:
    _, dtype, ndim = t.split(":")
    return dtype, int(ndim)


def tuple_items(t: str) -> list[str]:
    return t[2:].split(",")


def annotation(t: str) -> str:
    """How a pseudo-type is written in an annotation: ``float64[:, :]``, ``bool_[:]``, ``tuple[int, float]``."""
    if is_array_type(t):
        dtype, ndim = parse_array_type(t)
        return f"{'bool_' if dtype == 'bool' else dtype}[{', '.join([':'] * ndim)}]"
    if is_tuple_type(t):
        return f"tuple[{', '.join(tuple_items(t))}]"
    return t


# --- statements ----------------------------------------------------------------------------------


class Stmt(ABC):
    @abstractmethod
    def render(self, oracle: bool, indent: str) -> list[str]:
        """The statement's source lines at ``indent``."""

    def bodies(self) -> list[list[Stmt]]:
        """The statement lists nested in this one (for the reducer)."""
        return []

    def exprs(self) -> list[Expr]:
        return []

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return self


def render_body(body: list[Stmt], oracle: bool, indent: str) -> list[str]:
    lines: list[str] = []
    for s in body:
        lines += s.render(oracle, indent)
    return lines or [indent + "pass"]


@dataclass
class Assign(Stmt):
    name: str
    value: Expr
    annotation: str | None = None  # "x: T = e" when set

    def render(self, oracle: bool, indent: str) -> list[str]:
        ann = f": {self.annotation}" if self.annotation else ""
        return [f"{indent}{self.name}{ann} = {self.value.render(oracle)}"]

    def exprs(self) -> list[Expr]:
        return [self.value]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return Assign(self.name, exprs[0], self.annotation)


@dataclass
class AugAssign(Stmt):
    name: str
    op: str
    value: Expr

    def render(self, oracle: bool, indent: str) -> list[str]:
        if oracle:
            return [f"{indent}{self.name} = _bin({self.op!r}, {self.name}, {self.value.render(oracle)})"]
        return [f"{indent}{self.name} {self.op}= {self.value.render(oracle)}"]

    def exprs(self) -> list[Expr]:
        return [self.value]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return AugAssign(self.name, self.op, exprs[0])


@dataclass
class DivMod(Stmt):
    """``q, r = divmod(a, b)`` (the only form of divmod the frontend takes)."""

    q: str
    r: str
    a: Expr
    b: Expr

    def render(self, oracle: bool, indent: str) -> list[str]:
        return [f"{indent}{self.q}, {self.r} = divmod({self.a.render(oracle)}, {self.b.render(oracle)})"]

    def exprs(self) -> list[Expr]:
        return [self.a, self.b]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return DivMod(self.q, self.r, exprs[0], exprs[1])


@dataclass
class If(Stmt):
    cond: Expr
    body: list[Stmt]
    orelse: list[Stmt] = field(default_factory=list)

    def render(self, oracle: bool, indent: str) -> list[str]:
        lines = [f"{indent}if {self.cond.render(oracle)}:", *render_body(self.body, oracle, indent + "    ")]
        if self.orelse:
            lines += [f"{indent}else:", *render_body(self.orelse, oracle, indent + "    ")]
        return lines

    def bodies(self) -> list[list[Stmt]]:
        return [self.body, self.orelse]

    def exprs(self) -> list[Expr]:
        return [self.cond]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return If(exprs[0], self.body, self.orelse)


@dataclass
class While(Stmt):
    """``while counter < limit and cond:`` with ``counter += 1`` first in the body, so it always ends."""

    counter: str
    limit: int
    cond: Expr
    body: list[Stmt]
    orelse: list[Stmt] = field(default_factory=list)

    def render(self, oracle: bool, indent: str) -> list[str]:
        inner = indent + "    "
        lines = [f"{indent}{self.counter} = 0",
                 f"{indent}while {self.counter} < {self.limit} and {self.cond.render(oracle)}:",
                 f"{inner}{self.counter} += 1", *render_body(self.body, oracle, inner)]
        if self.orelse:
            lines += [f"{indent}else:", *render_body(self.orelse, oracle, inner)]
        return lines

    def bodies(self) -> list[list[Stmt]]:
        return [self.body, self.orelse]

    def exprs(self) -> list[Expr]:
        return [self.cond]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return While(self.counter, self.limit, exprs[0], self.body, self.orelse)


@dataclass
class For(Stmt):
    var: str
    args: list[Expr]
    body: list[Stmt]
    orelse: list[Stmt] = field(default_factory=list)

    def render(self, oracle: bool, indent: str) -> list[str]:
        args = ", ".join(a.render(oracle) for a in self.args)
        lines = [f"{indent}for {self.var} in range({args}):", *render_body(self.body, oracle, indent + "    ")]
        if self.orelse:
            lines += [f"{indent}else:", *render_body(self.orelse, oracle, indent + "    ")]
        return lines

    def bodies(self) -> list[list[Stmt]]:
        return [self.body, self.orelse]

    def exprs(self) -> list[Expr]:
        return list(self.args)

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return For(self.var, exprs, self.body, self.orelse)


@dataclass
class Simple(Stmt):
    """``break``, ``continue`` or ``pass``."""

    word: str

    def render(self, oracle: bool, indent: str) -> list[str]:
        return [indent + self.word]


@dataclass
class Return(Stmt):
    value: Expr

    def render(self, oracle: bool, indent: str) -> list[str]:
        return [f"{indent}return {self.value.render(oracle)}"]

    def exprs(self) -> list[Expr]:
        return [self.value]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return Return(exprs[0])


@dataclass
class Assert(Stmt):
    cond: Expr
    message: str | None = None

    def render(self, oracle: bool, indent: str) -> list[str]:
        msg = f", {self.message!r}" if self.message else ""
        return [f"{indent}assert {self.cond.render(oracle)}{msg}"]

    def exprs(self) -> list[Expr]:
        return [self.cond]

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return Assert(exprs[0], self.message)


@dataclass
class Print(Stmt):
    args: list[Expr]
    sep: str | None = None
    end: str | None = None

    def render(self, oracle: bool, indent: str) -> list[str]:
        parts = [a.render(oracle) for a in self.args]
        if self.sep is not None:
            parts.append(f"sep={self.sep!r}")
        if self.end is not None:
            parts.append(f"end={self.end!r}")
        return [f"{indent}print({', '.join(parts)})"]

    def exprs(self) -> list[Expr]:
        return list(self.args)

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return Print(exprs, self.sep, self.end)


@dataclass
class CodeStmt(Stmt):
    """A statement written as a template over expressions (``"{0}[{1}] = {2}"``, ``"x1, x2 = {0}"``), the same
    for compilers and the oracle."""

    template: str
    args: list[Expr]
    oracle_template: str | None = None
    """The oracle's form when it differs: ``a[i] += v`` is ``a[i] = _bin('+', a[i], v)`` there, since
    ``a[i] + v`` is scalar arithmetic with pyexec's rules (an ``int`` meeting a fixed width wraps)."""

    def render(self, oracle: bool, indent: str) -> list[str]:
        template = self.oracle_template if oracle and self.oracle_template else self.template
        return [indent + template.format(*(a.render(oracle) for a in self.args))]

    def exprs(self) -> list[Expr]:
        return list(self.args)

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return CodeStmt(self.template, exprs, self.oracle_template)


@dataclass
class Loop(Stmt):
    """A loop whose header is a template (``"for i1 in range(len({0})):"``, ``"for x2 in {0}:"``,
    ``"for i3, i4 in enumerate(range({0}, {1}), 2):"``) over expressions, with a body."""

    header: str
    args: list[Expr]
    body: list[Stmt]

    def render(self, oracle: bool, indent: str) -> list[str]:
        return [indent + self.header.format(*(a.render(oracle) for a in self.args)),
                *render_body(self.body, oracle, indent + "    ")]

    def bodies(self) -> list[list[Stmt]]:
        return [self.body]

    def exprs(self) -> list[Expr]:
        return list(self.args)

    def with_exprs(self, exprs: list[Expr]) -> Stmt:
        return Loop(self.header, exprs, self.body)


# --- functions and programs ----------------------------------------------------------------------


@dataclass
class Function:
    name: str
    params: list[tuple[str, str]]  # (name, pseudo-type: "int8", "float", "A:float64:1", …)
    return_type: str | None  # None: inferred by the frontend (array programs)
    body: list[Stmt]
    bare: list[str] = field(default_factory=list)
    """Parameters written without an annotation (``aot`` types them from the call; wasm gets them annotated)."""

    def render(self, oracle: bool, annotate_all: bool = False) -> list[str]:
        # The oracle's functions carry no annotations: CPython ignores them, and ``float64[:]`` is no
        # expression CPython can evaluate.
        params = ", ".join(n if oracle or (n in self.bare and not annotate_all) else f"{n}: {annotation(t)}"
                           for n, t in self.params)
        result = "" if oracle or self.return_type is None else f" -> {annotation(self.return_type)}"
        return [f"def {self.name}({params}){result}:", *render_body(self.body, oracle, "    ")]


HEADER = "import math\n\nimport numpy as np\n\nfrom pyexec import " + ", ".join([*NUMPY_TYPES, "bool_"]) + "\n"


@dataclass
class Program:
    """Functions; ``functions[0]`` is the entry point the fuzzer calls."""

    functions: list[Function]
    kind: str = "scalar"
    """``"scalar"``, ``"tuple"`` or ``"array"`` (what the generator was asked for)."""
    loose: bool = False
    """Float results may differ in the last bits from NumPy's: the program sums (``sum``/``mean``) floats,
    multiplies matrices or calls a transcendental ufunc (NumPy's pairwise sums, BLAS and SIMD math)."""

    @property
    def entry(self) -> Function:
        return self.functions[0]

    def source(self, annotate_all: bool = False) -> str:
        """The program as compilers see it (a module that imports ``math``, NumPy and pyexec's types);
        ``annotate_all`` writes the annotations of parameters ``aot`` would type from the call too."""
        return self.render(False, annotate_all)

    def oracle_source(self) -> str:
        """The program for ``fuzz.oracle`` (operators as helper calls; no imports: the oracle provides names)."""
        return self.render(True)

    def render(self, oracle: bool, annotate_all: bool = False) -> str:
        out = [] if oracle else [HEADER]
        for f in self.functions:
            out += ["", *f.render(oracle, annotate_all), ""]
        return "\n".join(out) + "\n"
