"""Random programs over NumPy arrays, inside what docs/backends/native.md documents compiled code does.

An array program has one function, ``f0``: one to three array parameters (1-D and 2-D, every real dtype and
``bool_``; annotated ``float64[:]``, ``int32[:, :]``…, or sometimes unannotated so that ``aot`` types them from
the call) and up to two scalar ones. Its body reads and writes elements (int indices, negative ones, some out
of bounds), takes ``len``/``.shape[k]``/``.size``, loops over ``range(len(a))`` and ``for x in a``, makes
views (slices, steps, ``[::-1]``, rows, columns, ``.T``), reduces (``sum prod min max mean argmin argmax``,
whole-array and ``axis=``), computes elementwise with scalars and arrays (broadcasting), compares, calls
``np.sqrt exp log sin cos tan abs``, copies, converts (``astype``), builds arrays (``np.zeros ones full
empty arange linspace``), multiplies matrices (``@``, ``np.dot``), and returns an array, a scalar or a tuple.

Generation is type-directed by NumPy itself: the result type of an array expression is what NumPy gives for
the same expression on small arrays of the operands' dtypes (so NumPy 2's promotion, weak Python scalars
included, is the reference), and an expression NumPy refuses or types as ``float16``/complex/object is not
written. The oracle is the same program run by CPython and NumPy (array operations are written the same for
both; scalar operators go through ``fuzz.oracle``'s helpers as in scalar programs).

Example:
    >>> from fuzz.arrays import generate_array_program
    >>> print(generate_array_program(3).source())   # doctest: +ELLIPSIS
    import math
    ...
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fuzz.generate import Generator, Options, Scope, int_range
from fuzz.program import (
    FLOAT_TYPES,
    INT_TYPES,
    Assign,
    Cast,
    Code,
    CodeStmt,
    Const,
    Expr,
    Function,
    If,
    Loop,
    Program,
    Return,
    Stmt,
    Var,
    array_type,
    is_array_type,
    parse_array_type,
)

DTYPES = [*INT_TYPES, *FLOAT_TYPES, "bool"]
SHAPES_1D = [[0], [1], [2], [3], [4], [5], [7], [12]]
SHAPES_2D = [[0, 3], [1, 1], [2, 2], [2, 3], [3, 2], [3, 3], [1, 4], [4, 1], [3, 0]]
VIEWS = ["c", "c", "c", "rev", "step", "T", "f"]
ARITH = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]
UFUNCS = ["sqrt", "exp", "log", "sin", "cos", "tan", "abs"]
TRANSCENDENTAL = {"exp", "log", "sin", "cos", "tan"}
REDUCTIONS = ["sum", "prod", "min", "max", "mean", "argmin", "argmax"]
# Float reductions whose result NumPy computes in an order of its own: pairwise sums, and min/max whose
# result, when 0.0 and -0.0 tie, has the sign its SIMD lanes leave (neither the first nor the last zero)
LOOSE_REDUCTIONS = {"sum", "mean", "min", "max"}
# Scalars an array operation may meet: weak Python numbers and NumPy's strong scalars
SCALAR_OPERANDS = ["int", "int", "float", "float", "bool", *INT_TYPES, *FLOAT_TYPES]


def np_name(dtype: str) -> str:
    """How the program names a dtype: ``np.float64``, ``np.bool_``."""
    return "np.bool_" if dtype == "bool" else f"np.{dtype}"


def _sample(pt: str) -> Any:
    """A value of a pseudo-type for typing an expression by running NumPy on it."""
    if is_array_type(pt):
        dtype, ndim = parse_array_type(pt)
        return np.ones((2,) * ndim, dtype=np.bool_ if dtype == "bool" else dtype)
    if pt.startswith("T:"):
        return tuple(2 for _ in pt[2:].split(","))  # a shape
    if pt == "int":
        return 1
    if pt == "float":
        return 1.5
    if pt == "bool":
        return True
    return np.dtype(pt).type(1)


def numpy_type(template: str, operands: list[str]) -> str | None:
    """The pseudo-type NumPy gives ``template`` on values of ``operands`` (None if NumPy refuses it or the
    result is not a real or bool array or scalar that compiled code has)."""
    values = [_sample(t) for t in operands]
    names = {f"_v{i}": v for i, v in enumerate(values)}
    code = template.format(*names)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            r = eval(code, {"np": np, "int": int, "float": float, "bool": bool, "len": len}, names)
    except Exception:  # NumPy refuses it: not written
        return None
    if isinstance(r, np.ndarray):
        name = "bool" if r.dtype == np.bool_ else str(r.dtype)
        if name not in DTYPES or r.ndim not in (1, 2):
            return None
        return array_type(name, r.ndim)
    if isinstance(r, np.bool_):
        return "bool_"
    if isinstance(r, np.generic):
        name = str(r.dtype)
        return name if name in INT_TYPES or name in FLOAT_TYPES else None
    if isinstance(r, bool):
        return "bool"
    if isinstance(r, int):
        return "int"
    if isinstance(r, float):
        return "float"
    return None


@dataclass
class ArrayScope:
    """The scalars (for the scalar generator) and the arrays a body may use at one point."""

    scalars: Scope
    arrays: dict[str, str] = field(default_factory=dict)

    def child(self, in_loop: bool | None = None) -> ArrayScope:
        return ArrayScope(self.scalars.child(in_loop), dict(self.arrays))


@dataclass
class ArrayGenerator:
    rng: random.Random
    scalars: Generator
    loose: bool = False
    statements: int = 0

    # --- small pieces ----------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        return self.scalars.fresh(prefix)

    def array_var(self, scope: ArrayScope, ndim: int | None = None) -> Expr | None:
        names = [n for n, t in scope.arrays.items() if ndim is None or parse_array_type(t)[1] == ndim]
        if not names:
            return None
        n = self.rng.choice(names)
        return Var(n, scope.arrays[n])

    def index(self, scope: ArrayScope, array: Expr, axis: int) -> Expr:
        """An int index for one axis: small constants, negative ones, the extent (out of bounds), loop and
        scalar variables. Written as plain Python in both programs (CPython's int is the oracle of an index)."""
        r = self.rng.random()
        ints = [n for n, t in scope.scalars.names.items() if t == "int"]
        loops = [n for n in ints if n.startswith("i")]
        if loops and r < 0.4:
            return Var(self.rng.choice(loops), "int", weak=True, py=True)
        if r < 0.8:  # mostly inside the array; sometimes past either end (IndexError)
            return Const(self.rng.choice([0] * 6 + [-1] * 4 + [1, 1, -2] if self.rng.random() < 0.93 else
                                         [3, 5, -4, 12, -13]), "int")
        if r < 0.9:
            extent = "len({0})" if axis == 0 else f"{{0}}.shape[{axis}]"
            return Code(f"({extent} - {self.rng.choice([1, 1, 2, 0])})", [array], "int", weak=True, py=True)
        if ints and self.rng.random() < 0.4:  # a scalar variable: an edge value is mostly out of bounds
            return Var(self.rng.choice(ints), "int", weak=True, py=True)
        return Const(self.rng.choice([0, -1, 7]), "int")

    def scalar(self, pt: str, scope: ArrayScope, depth: int = 1, fit: str | None = None) -> Expr:
        """A scalar expression; an int literal meeting an integer array of dtype ``fit`` fits it (the frontend
        refuses one that does not at compile time, where NumPy raises OverflowError at run time)."""
        e = self.scalars.expr(pt, scope.scalars, depth, fit=fit)
        if pt in ("int", "float") and self.rng.random() < 0.5:
            return self.scalars.const(pt, fit)  # literals: the frontend's weak numbers
        return e

    def small_int(self, scope: ArrayScope, lo: int, hi: int) -> Expr:
        if self.rng.random() < 0.7:
            return Const(self.rng.randint(lo, hi), "int")
        return self.scalars.bounded_int(scope.scalars, lo, hi)

    def typed(self, template: str, args: list[Expr]) -> Code | None:
        t = numpy_type(template, [a.type for a in args])
        return None if t is None else Code(template, args, t)

    # --- array expressions -----------------------------------------------------------------------

    def aexpr(self, scope: ArrayScope, depth: int, ndim: int | None = None) -> Expr | None:
        """An array expression (of ``ndim`` dimensions when given), or None if none could be written."""
        if depth <= 0 or self.rng.random() < 0.3:
            v = self.array_var(scope, ndim)
            if v is not None or depth <= 0:
                return v
        makers = [self.a_view, self.a_view, self.a_binop, self.a_binop, self.a_compare, self.a_ufunc, self.a_unary,
                  self.a_copy, self.a_astype, self.a_new, self.a_axis, self.a_matmul]
        for _ in range(8):
            e = self.rng.choice(makers)(scope, max(depth - 1, 0))
            if e is not None and (ndim is None or parse_array_type(e.type)[1] == ndim):
                return e
        return self.array_var(scope, ndim)

    def a_view(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        _, ndim = parse_array_type(a.type)
        if ndim == 1:
            choice = self.rng.choice(["{0}[::-1]", "{0}[1:]", "{0}[::2]", "{0}[1:-1]", "{0}[:{1}]", "{0}[{1}:]",
                                      "{0}[::-2]", "{0}[:]"])
            args = [a, self.small_int(scope, -3, 4)] if "{1}" in choice else [a]
            return self.typed(choice, args)
        choice = self.rng.choice(["{0}.T", "{0}[::-1]", "{0}[:, ::2]", "{0}[1:, :]", "{0}[{1}]", "{0}[:, {1}]",
                                  "{0}[{1}, :]", "{0}[::-1, 1:]"])
        args = [a, self.index(scope, a, 0 if choice.startswith("{0}[{1}") else 1)] if "{1}" in choice else [a]
        return self.typed(choice, args)

    def a_binop(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        op = self.rng.choice(ARITH)
        if self.rng.random() < 0.5:
            dtype, _ = parse_array_type(a.type)
            b: Expr | None = self.scalar(self.rng.choice(SCALAR_OPERANDS), scope, 1,
                                         dtype if dtype in INT_TYPES else None)
            if op in ("**", "<<", ">>") and b.type in ("int", *INT_TYPES):
                b = Const(self.rng.randint(0, 3), "int")  # keep powers and shifts in range (negative: NumPy's error)
        else:
            b = self.aexpr(scope, depth, self.rng.choice([1, 2]))
            if b is None:
                return None
        if self.rng.random() < 0.3:
            a, b = b, a
        return self.typed(f"({{0}} {op} {{1}})", [a, b])

    def a_compare(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        dtype, ndim = parse_array_type(a.type)
        b = self.aexpr(scope, depth, ndim) if self.rng.random() < 0.4 else \
            self.scalar("float" if dtype in FLOAT_TYPES else "int", scope)
        if b is None:
            return None
        return self.typed(f"({{0}} {self.rng.choice(COMPARE)} {{1}})", [a, b])

    def a_ufunc(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        f = self.rng.choice(UFUNCS)
        dtype, _ = parse_array_type(a.type)
        if f != "abs" and dtype in ("int8", "uint8", "bool"):
            return None  # NumPy gives float16 (bool: float16 too), which compiled code refuses as documented
        e = self.typed(f"np.{f}({{0}})", [a])
        if e is not None and f in TRANSCENDENTAL:
            self.loose = True
        return e

    def a_unary(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        dtype, _ = parse_array_type(a.type)
        op = "~" if dtype in INT_TYPES or (dtype == "bool" and self.rng.random() < 0.5) else "-"
        return self.typed(f"({op}{{0}})", [a])

    def a_copy(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        return None if a is None else self.typed(self.rng.choice(["{0}.copy()", "np.copy({0})"]), [a])

    def a_astype(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        src, _ = parse_array_type(a.type)
        target = self.rng.choice(DTYPES)
        if src in FLOAT_TYPES and target in INT_TYPES:
            return None  # NaN, inf and out-of-range floats have no value in NumPy (undefined behaviour)
        return self.typed(f"{{0}}.astype({np_name(target)})", [a])

    def a_new(self, scope: ArrayScope, depth: int) -> Expr | None:
        r = self.rng.random()
        dtype = self.rng.choice(DTYPES)
        shape: Expr
        if self.rng.random() < 0.6:
            shape = self.small_int(scope, 0, 5)
            template = "{0}"
        else:
            shape = Code("({0}, {1})", [self.small_int(scope, 0, 3), self.small_int(scope, 0, 3)], "T:int,int")
            template = "{0}"
        if r < 0.2:
            return self.typed(f"np.zeros({template}, {np_name(dtype)})", [shape])
        if r < 0.4:
            return self.typed(f"np.ones({template}, dtype={np_name(dtype)})", [shape])
        if r < 0.55:
            fill = self.rng.choice(["int", "float", "float64", "float32", "int32", "uint8", "int64"])
            return self.typed(f"np.full({template}, {{1}})", [shape, self.scalar(fill, scope)])
        if r < 0.65:
            a = self.array_var(scope)
            if a is None:
                return None
            return self.typed(self.rng.choice(["np.zeros_like({0})", "np.ones_like({0})"]), [a])
        if r < 0.85:
            if self.rng.random() < 0.6:
                args = [self.small_int(scope, -3, 3), self.small_int(scope, -2, 8),
                        Const(self.rng.choice([1, 1, 2, 3, -1]), "int")]
                return self.typed("np.arange({0}, {1}, {2})", args)
            args = [Const(self.rng.choice([0.0, -1.5, 0.25]), "float"), Const(self.rng.choice([1.0, 3.5, -2.0]),
                                                                                "float")]
            return self.typed("np.arange({0}, {1}, 0.5)", args)
        args = [Const(self.rng.choice([0.0, -1.0, 0.1, 2.5]), "float"), Const(self.rng.choice([1.0, 10.0, -3.3]),
                                                                              "float")]
        return self.typed(f"np.linspace({{0}}, {{1}}, {self.rng.choice([0, 1, 2, 5, 7, 50])})", args)

    def a_axis(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth, 2)
        if a is None:
            return None
        f = self.rng.choice(REDUCTIONS)
        axis = self.rng.choice([0, 1])
        dtype, _ = parse_array_type(a.type)
        if f in LOOSE_REDUCTIONS and dtype in FLOAT_TYPES:
            self.loose = True
        template = f"{{0}}.{f}(axis={axis})" if self.rng.random() < 0.5 else f"np.{f}({{0}}, axis={axis})"
        return self.typed(template, [a])

    def a_matmul(self, scope: ArrayScope, depth: int) -> Expr | None:
        a = self.aexpr(scope, depth, 2)
        b = self.aexpr(scope, depth, self.rng.choice([1, 2]))
        if a is None or b is None:
            return None
        if "bool" in (parse_array_type(a.type)[0], parse_array_type(b.type)[0]):
            return None
        self.loose = self.loose or any(parse_array_type(x.type)[0] in FLOAT_TYPES for x in (a, b))
        return self.typed(self.rng.choice(["({0} @ {1})", "np.dot({0}, {1})"]), [a, b])

    # --- scalars from arrays ---------------------------------------------------------------------

    def from_array(self, scope: ArrayScope, depth: int) -> tuple[Expr, str] | None:
        """A scalar computed from an array, and the pseudo-type of a local that holds it."""
        a = self.aexpr(scope, depth)
        if a is None:
            return None
        dtype, ndim = parse_array_type(a.type)
        r = self.rng.random()
        if r < 0.35:
            idx = [self.index(scope, a, k) for k in range(ndim)]
            template = "{0}[" + ", ".join(f"{{{k + 1}}}" for k in range(ndim)) + "]"
            e: Expr = Code(template, [a, *idx], dtype)
        elif r < 0.5:
            e = Code(self.rng.choice(["len({0})", "{0}.shape[0]", f"{{0}}.shape[{ndim - 1}]", "{0}.size"]), [a],
                     "int", weak=True, py=True)
            return e, "int"
        elif r < 0.9:
            f = self.rng.choice(REDUCTIONS)
            if f in LOOSE_REDUCTIONS and dtype in FLOAT_TYPES:
                self.loose = True
            template = f"{{0}}.{f}()" if self.rng.random() < 0.6 else f"np.{f}({{0}})"
            t = numpy_type(template, [a.type])
            if t is None:
                return None
            e = Code(template, [a], t)
            if f in ("argmin", "argmax"):
                return Cast("int", e, "int", weak=True, py=True), "int"
            dtype = t
        else:
            b = self.aexpr(scope, depth, 1)
            if ndim != 1 or b is None or "bool" in (dtype, parse_array_type(b.type)[0]) or \
                    parse_array_type(b.type)[1] != 1:
                return None
            t = numpy_type("np.dot({0}, {1})", [a.type, b.type])
            if t is None:
                return None
            self.loose = self.loose or t in FLOAT_TYPES
            e, dtype = Code("np.dot({0}, {1})", [a, b], t), t
        if dtype in ("bool", "bool_"):
            return Cast("bool", e, "bool", py=True), "bool"  # a NumPy bool_ as a Python bool
        return e, dtype

    # --- statements ------------------------------------------------------------------------------

    def value_for(self, dtype: str, scope: ArrayScope) -> Expr:
        """A scalar to store into an array of ``dtype``, converted as NumPy's setitem converts it (a Python
        float into an integer array goes through ``int()``; no NumPy float goes into an integer array, whose
        NaN and out-of-range values NumPy leaves undefined)."""
        if dtype in INT_TYPES:
            # NumPy 2.4 range-checks a NumPy integer stored into a *signed* integer array (OverflowError) but
            # wraps it into an unsigned one; docs/backends/native.md promises wrapping: only types that fit
            strong = INT_TYPES if dtype.startswith("u") else [t for t in INT_TYPES if np.can_cast(t, dtype)]
            pool = ["int", "int", "bool", "float", *strong]
        elif dtype in FLOAT_TYPES:
            pool = ["int", "float", "float", "bool", *INT_TYPES, *FLOAT_TYPES]
        else:
            pool = ["bool", "int", "float", *INT_TYPES, *FLOAT_TYPES]
        return self.scalar(self.rng.choice(pool), scope, 1, dtype if dtype in INT_TYPES else None)

    def block(self, scope: ArrayScope, depth: int, n: int) -> list[Stmt]:
        out: list[Stmt] = []
        for _ in range(n):
            if self.statements > 24:
                break
            self.statements += 1
            out += self.statement(scope, depth)
        return out

    def statement(self, scope: ArrayScope, depth: int) -> list[Stmt]:
        r = self.rng.random()
        if r < 0.2:
            e = self.aexpr(scope, 2)
            if e is None:
                return []
            name = self.fresh("a")
            scope.arrays[name] = e.type
            if isinstance(e, Code) and e.template.startswith("np.zeros(") and self.statements % 2 == 0:
                # np.empty, then filled: its values are undefined until the fill (no random draw here, so
                # that the programs of earlier seeds stay as they were)
                empty = Code(e.template.replace("np.zeros(", "np.empty(", 1), e.args, e.type)
                return [Assign(name, empty), CodeStmt(f"{name}[:] = {self.statements % 3}", [])]
            return [Assign(name, e)]
        if r < 0.42:
            got = self.from_array(scope, 1)
            if got is None:
                return []
            e, pt = got
            name = self.fresh("s")
            scope.scalars.names[name] = pt
            return [Assign(name, e)]
        if r < 0.6:
            a = self.array_var(scope)
            if a is None:
                return []
            dtype, ndim = parse_array_type(a.type)
            idx = [self.index(scope, a, k) for k in range(ndim)]
            target = "{0}[" + ", ".join(f"{{{k + 1}}}" for k in range(ndim)) + "]"
            value = self.value_for(dtype, scope)
            if self.rng.random() < 0.25 and dtype != "bool" and value.type in ("int", dtype):
                op = self.rng.choice(["+", "-", "*"])
                return [CodeStmt(f"{target} {op}= {{{ndim + 1}}}", [a, *idx, value],
                                 f"{target} = _bin({op!r}, {target}, {{{ndim + 1}}})")]
            return [CodeStmt(f"{target} = {{{ndim + 1}}}", [a, *idx, value])]
        if r < 0.68:
            a = self.array_var(scope)
            if a is None:
                return []
            dtype, ndim = parse_array_type(a.type)
            target = self.rng.choice(["{0}[1:]", "{0}[:]", "{0}[::2]", "{0}[::-1]"] if ndim == 1 else
                                     ["{0}[:]", "{0}[0]", "{0}[:, 0]", "{0}[1:, :]"])
            if self.rng.random() < 0.5:
                return [CodeStmt(f"{target} = {{1}}", [a, self.value_for(dtype, scope)])]
            view = numpy_type(target, [a.type])  # "{0}[0]" of a 2-D array is 1-D: b may not have more axes
            b = self.aexpr(scope, 1, self.rng.choice([1, parse_array_type(view)[1] if view else 1]))
            if b is None or (parse_array_type(b.type)[0] in FLOAT_TYPES and dtype in INT_TYPES):
                return []
            return [CodeStmt(f"{target} = {{1}}", [a, b])]
        if r < 0.78 and depth > 0:
            a = self.array_var(scope)
            if a is None:
                return []
            inner = scope.child(in_loop=True)
            dtype, ndim = parse_array_type(a.type)
            if self.rng.random() < 0.5:
                k = self.fresh("i")
                inner.scalars.names[k] = "int"
                body = self.block(inner, depth - 1, self.rng.randint(1, 3))
                return [Loop(f"for {k} in range(len({{0}})):", [a], body)]
            x = self.fresh("x")
            if ndim == 1:
                inner.scalars.names[x] = "bool" if dtype == "bool" else dtype
            else:
                inner.arrays[x] = array_type(dtype, 1)
            return [Loop(f"for {x} in {{0}}:", [a], self.block(inner, depth - 1, self.rng.randint(1, 3)))]
        if r < 0.84 and depth > 0:
            cond = self.scalars.expr("bool", scope.scalars, 2)
            return [If(cond, self.block(scope.child(), depth - 1, self.rng.randint(1, 2)))]
        if r < 0.94:
            return self.scalars.statement(scope.scalars, 0)
        return []

    def result(self, scope: ArrayScope) -> Expr:
        r = self.rng.random()
        if r < 0.6:
            e = self.aexpr(scope, 2)
            if e is not None:
                return e
        if r < 0.8:
            items = []
            for _ in range(self.rng.randint(2, 3)):
                got = self.from_array(scope, 1)
                items.append(got[0] if got is not None else self.scalars.expr("int", scope.scalars, 1))
            return Code("(" + ", ".join(f"{{{i}}}" for i in range(len(items))) + ")", items,
                        "T:" + ",".join(i.type for i in items))
        got = self.from_array(scope, 1)
        return got[0] if got is not None else self.scalars.expr("float", scope.scalars, 2)


def generate_array_program(seed: int, options: Options | None = None) -> Program:
    """The array program of ``seed`` (one function ``f0``; see the module's docstring)."""
    options = options or Options()
    rng = random.Random(seed)
    gen = ArrayGenerator(rng, Generator(rng, options))
    params: list[tuple[str, str]] = []
    bare: list[str] = []
    for _ in range(rng.randint(1, 3)):
        name = gen.fresh("p")
        params.append((name, array_type(rng.choice(DTYPES), rng.choice([1, 1, 2]))))
        if rng.random() < 0.25:
            bare.append(name)
    for _ in range(rng.choice([0, 0, 1, 2])):
        params.append((gen.fresh("p"), rng.choice(["int", "float", "int64", "float64", "float32", "int32"])))
    scope = ArrayScope(Scope({n: t for n, t in params if not is_array_type(t)}),
                       {n: t for n, t in params if is_array_type(t)})
    body = gen.block(scope, 2, rng.randint(3, 8))
    body.append(Return(gen.result(scope)))
    return Program([Function("f0", params, None, body, bare)], kind="array", loose=gen.loose)


def _array_spec(rng: random.Random, scalars: Generator, dtype: str, ndim: int, shape: list[int]) -> dict[str, Any]:
    view = rng.choice(VIEWS if ndim == 2 else ["c", "c", "c", "rev", "step"])
    count = int(np.prod(shape)) * (2 if view == "step" else 1)
    data: list[Any]
    if dtype == "bool":
        data = [rng.random() < 0.5 for _ in range(count)]
    elif dtype in INT_TYPES:
        lo, hi = int_range(dtype)
        small = rng.random() < 0.5  # half the arrays hold small values, as indices and counts do
        data = [rng.randint(max(lo, -5), min(hi, 9)) if small else scalars.int_value(dtype) for _ in range(count)]
    else:
        small = rng.random() < 0.5
        data = [rng.choice([0.0, 1.0, -1.0, 0.5, 2.0, 3.25, -0.0]) if small else scalars.float_value(dtype)
                for _ in range(count)]
    return {"dtype": dtype, "shape": shape, "view": view, "data": data}


def generate_array_arguments(program: Program, seed: int, count: int) -> list[list[Any]]:
    """``count`` argument lists for an array program's ``f0``: arrays as JSON specs (``fuzz.oracle.make_array``)
    of every shape in ``SHAPES_1D``/``SHAPES_2D`` (empty and 1-element included) and layout (contiguous,
    reversed, strided, transposed, Fortran), with edge values; scalars as in scalar programs."""
    rng = random.Random(seed * 7919 + 1)
    scalars = Generator(rng)
    out = []
    for _ in range(count):
        # The arrays of one call mostly share their shapes (and a 2-D one has the 1-D one's length as its
        # last extent), so that elementwise operations broadcast more often than they raise ValueError.
        n = rng.choice([2, 3, 4, 5, 5, 7, 12] if rng.random() < 0.85 else [0, 1, 1])
        shared = {1: [n], 2: [rng.choice([1, 2, 3, 3, 4]), n]}
        args: list[Any] = []
        for _, t in program.entry.params:
            if is_array_type(t):
                dtype, ndim = parse_array_type(t)
                shape = shared[ndim] if rng.random() < 0.8 else list(rng.choice(SHAPES_1D if ndim == 1 else
                                                                                 SHAPES_2D))
                args.append(_array_spec(rng, scalars, dtype, ndim, shape))
            else:
                args.append(scalars.argument(t))
        out.append(args)
    return out


__all__ = ["generate_array_arguments", "generate_array_program", "numpy_type"]
