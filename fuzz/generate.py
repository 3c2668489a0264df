"""A random generator of well-typed programs over pyexec's documented scalar subset.

Generation is type-directed: ``expr("int8")`` returns an expression whose type is ``int8`` for the frontend
*and* in CPython. Types here are *pseudo-types*: the IR type names, plus ``"float"`` and ``"complex"`` for
float64/complex128 values that are Python objects in CPython (a parameter annotated ``float``, a ``math``
result, ``float(x)``), because NumPy 2 treats those as weak and ``np.float64`` values as strong. An operand
pair is used only when the frontend's promotion (``pyexec.frontend.promotion``) and CPython's agree on the
result type, unless ``include_known=True`` (issue 12 item 3, weak Python floats, is a known difference).

Everything is decided by one ``random.Random(seed)``: ``generate_program(seed)`` is reproducible, which is how
findings are replayed and reduced.

Example:
    >>> from fuzz.generate import generate_program
    >>> print(generate_program(7).source())   # doctest: +ELLIPSIS
    import math
    ...
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field

from fuzz.program import (
    ALL_TYPES,
    COMPLEX_TYPES,
    FLOAT_TYPES,
    INT_TYPES,
    Assert,
    Assign,
    Attr,
    AugAssign,
    BinOp,
    BoolOp,
    Call,
    Cast,
    Code,
    CodeStmt,
    Compare,
    Const,
    DivMod,
    Expr,
    For,
    Function,
    If,
    IfExp,
    Loop,
    Print,
    Program,
    Return,
    Simple,
    Stmt,
    Unary,
    Var,
    While,
    is_tuple_type,
    kind,
    tuple_items,
)

PSEUDO_TYPES = ["bool", "int", "float", "complex", *INT_TYPES, *FLOAT_TYPES, *COMPLEX_TYPES]
PY_TYPES = {"bool", "int", "float", "complex"}
IR_NAME = {"float": "float64", "complex": "complex128"}
assert set(ALL_TYPES) <= set(PSEUDO_TYPES)


def ir_type(pt: str) -> str:
    """The IR type name of a pseudo-type (``"float"`` → ``"float64"``)."""
    return IR_NAME.get(pt, pt)


def is_py(pt: str) -> bool:
    return pt in PY_TYPES


def int_range(t: str) -> tuple[int, int]:
    if t == "int":
        return -(2**63), 2**63 - 1
    bits = int(t.removeprefix("u").removeprefix("int"))
    return (0, 2**bits - 1) if t.startswith("u") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


INT_EDGES = [0, 1, -1, 2, -2, 3, 5, 7, 10, 63, 64, 100, 127, 128, -128, -129, 255, 256, 1000, 32767, -32768, 65535,
             2**31 - 1, -(2**31), 2**32 - 1, 2**53 + 1, 2**62, 2**63 - 1, -(2**63), -(2**63) + 1]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.0, 3.0, 10.0, 0.1, 123.456, 1e-300, 5e-324, 1e300,
               -1e300, 1.7976931348623157e308, 2.0**53, 2.0**63, -(2.0**63), 1e16, math.nan, math.inf, -math.inf]
COMPLEX_CONSTS = [0j, 1j, 1 + 2j, -1.5 + 0.5j, 2.5 - 3j, 1e-3 + 1e3j, -0.5 - 0.25j]
MATH_1 = ["sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan",
          "sinh", "cosh", "tanh", "fabs", "degrees", "radians"]
MATH_2 = ["atan2", "hypot", "pow", "fmod", "copysign", "log"]
ARITH_OPS = ["+", "-", "*"]
OPS_BY_KIND = {"bool": ["&", "|", "^"], "int": [*ARITH_OPS, "//", "%", "**", "&", "|", "^", "<<", ">>"],
               "float": [*ARITH_OPS, "/", "//", "%", "**"], "complex": [*ARITH_OPS, "/"]}


@dataclass
class Options:
    """What the generator may produce."""

    include_known: bool = False
    """Also produce shapes of issue 12's known bugs (weak Python floats with float32, uint64 literals ≥ 2**63)."""
    max_functions: int = 3
    max_depth: int = 3
    kinds: tuple[str, ...] = ("scalar",)
    """What programs to write, by seed in turn: ``"scalar"``, ``"tuple"`` (scalars plus tuple results,
    unpacking, ``enumerate``/``zip`` loops) and ``"array"`` (NumPy arrays: ``fuzz/arrays.py``)."""


def program_kind(seed: int, options: Options | None = None) -> str:
    """Which kind of program the seed writes (``options.kinds`` in turn, the turn shifted by one every round
    so that the backends run every N-th program, the jit and Node, meet every kind)."""
    kinds = (options or Options()).kinds
    return kinds[(seed + seed // len(kinds)) % len(kinds)]


def _promote_py(a: str, a_weak: bool, b: str, b_weak: bool) -> tuple[str, bool]:
    from pyexec.frontend.ir.types import BY_NAME
    from pyexec.frontend.promotion import promote

    ta, tb = BY_NAME[a], BY_NAME[b]
    r, weak = promote(ta, a_weak, tb, b_weak)  # type: ignore[arg-type]
    return str(r), weak


def binop_result(op: str, a: str, a_lit: bool, b: str, b_lit: bool, include_known: bool) -> str | None:
    """The pseudo-type of ``a op b`` (operands as pseudo-types; ``*_lit`` for literals), or None when the
    pair is not well-typed, not in the subset, or (without ``include_known``) a known difference."""
    ka, kb = kind(a), kind(b)
    if "bool" in (ka, kb):
        if op in ("&", "|", "^") and a == b == "bool":
            return "bool"
        return None  # bool arithmetic: NumPy's np.bool_ + np.bool_ is a logical or, Python's is int
    if op in ("&", "|", "^", "<<", ">>") and not (ka == kb == "int"):
        return None
    if op in ("//", "%", "**") and "complex" in (ka, kb):
        return None
    # The frontend: literals and ints are weak. CPython (NEP 50): every Python number is weak.
    ir_a, ir_b = ir_type(a), ir_type(b)
    fe_a, fe_b = a_lit or a == "int", b_lit or b == "int"
    front, _ = _promote_py(ir_a, fe_a, ir_b, fe_b)
    cpy, _ = _promote_py(ir_a, is_py(a), ir_b, is_py(b))
    if front != cpy and not include_known:
        return None
    both_py = is_py(a) and is_py(b)
    if op == "/" and kind(front) == "int":
        front = "float64"
    if both_py:
        return {"int": "int", "float": "float", "complex": "complex"}[kind(front)]
    return "int64" if front == "int" else front


@dataclass
class Scope:
    """What a function body may use at one point: locals (name → pseudo-type) and whether in a loop."""

    names: dict[str, str]
    in_loop: bool = False

    def child(self, in_loop: bool | None = None) -> Scope:
        return Scope(dict(self.names), self.in_loop if in_loop is None else in_loop)


@dataclass
class Signature:
    name: str
    params: list[str]  # pseudo-types
    result: str
    recursive: bool = False


@dataclass
class Generator:
    rng: random.Random
    options: Options = field(default_factory=Options)
    counter: int = 0
    callees: list[Signature] = field(default_factory=list)
    current: Signature | None = None
    statements: int = 0
    tuples: bool = False
    """Also write tuple statements: unpacking, ``enumerate``/``zip`` loops, constant-index items."""

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # --- leaves ----------------------------------------------------------------------------------

    def int_value(self, t: str) -> int:
        lo, hi = int_range(t)
        if t == "uint64" and not self.options.include_known:
            hi = 2**63 - 1  # issue 12 item 4: uint64 values >= 2**63 cannot be written yet
        r = self.rng.random()
        if r < 0.6:
            v = self.rng.choice(INT_EDGES)
            if lo <= v <= hi:
                return v
        if r < 0.8:
            return self.rng.choice([lo, hi, 0, 1, max(lo, -1), hi // 2])
        return self.rng.randint(max(lo, -1000), min(hi, 1000)) if self.rng.random() < 0.7 else self.rng.randint(lo, hi)

    def float_value(self, t: str) -> float:
        v = self.rng.choice(FLOAT_EDGES) if self.rng.random() < 0.7 else self.rng.uniform(-100, 100)
        if t == "float32":
            import numpy as np

            with np.errstate(all="ignore"):
                v = float(np.float32(v))
        return v

    def argument(self, pt: str) -> object:
        """A value to pass for a parameter of pseudo-type ``pt`` (a Python value; the oracle converts it)."""
        k = kind(pt)
        if k == "bool":
            return self.rng.random() < 0.5
        if k == "int":
            return self.int_value(pt)
        if k == "float":
            return self.float_value(pt)
        return self.rng.choice(COMPLEX_CONSTS)

    def const(self, pt: str, fit: str | None = None) -> Expr:
        """A literal of ``pt``; an int literal meeting a fixed width ``fit`` is chosen to fit it."""
        k = kind(pt)
        if pt == "bool":
            return Const(self.rng.random() < 0.5, "bool")
        if pt == "int":
            return Const(self.int_value(fit or "int"), "int")
        if pt == "float":
            return Const(self.float_value("float64"), "float")
        if pt == "complex":
            return Const(self.rng.choice(COMPLEX_CONSTS), "complex")
        # a fixed-width constant: the cast of a literal
        if k == "int":
            return Cast(pt, Const(self.int_value(pt), "int"), pt)
        if k == "float":
            return Cast(pt, Const(self.float_value(pt), "float"), pt)
        return Cast(pt, Const(self.rng.choice(COMPLEX_CONSTS), "complex"), pt)

    def leaf(self, pt: str, scope: Scope, fit: str | None = None) -> Expr:
        names = [n for n, t in scope.names.items() if t == pt]
        if names and self.rng.random() < 0.7:
            n = self.rng.choice(names)
            return Var(n, pt, weak=pt == "int", py=is_py(pt))
        others = [n for n, t in scope.names.items() if kind(t) != "complex" or kind(pt) == "complex"]
        if others and self.rng.random() < 0.5:  # use the parameters and locals: a cast of one
            n = self.rng.choice(others)
            t = scope.names[n]
            return Cast(pt, Var(n, t, weak=t == "int", py=is_py(t)), pt, weak=pt == "int", py=is_py(pt))
        return self.const(pt, fit)

    # --- expressions -----------------------------------------------------------------------------

    def expr(self, pt: str, scope: Scope, depth: int, fit: str | None = None) -> Expr:
        """An expression of pseudo-type ``pt``."""
        if depth <= 0 or self.rng.random() < 0.25:
            return self.leaf(pt, scope, fit)
        makers = [self.e_binop, self.e_binop, self.e_cast, self.e_ifexp, self.e_unary, self.e_builtin, self.e_call]
        if pt == "bool":
            makers += [self.e_compare, self.e_compare, self.e_boolop, self.e_not]
        if kind(pt) == "float" or pt == "int":
            makers += [self.e_math]
        if kind(pt) in ("float", "complex"):
            makers += [self.e_complex_part]
        for _ in range(6):
            e = self.rng.choice(makers)(pt, scope, depth - 1)
            if e is not None:
                return e
        return self.leaf(pt, scope, fit)

    def e_binop(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        ops = OPS_BY_KIND[kind(pt)]
        op = self.rng.choice(ops)
        pair = _PAIRS_CACHE.get((op, pt, self.options.include_known))
        if pair is None:
            pair = _PAIRS_CACHE[(op, pt, self.options.include_known)] = self._all_pairs(op, pt)
        if not pair:
            return None
        a, al, b, bl = self.rng.choice(pair)
        strong_int = next((t for t in (a, b) if t in INT_TYPES), None)
        left = self.const(a) if al else self.fitted(self.expr(a, scope, depth, fit=strong_int), strong_int)
        right = self.const(b) if bl else self.fitted(self.expr(b, scope, depth, fit=strong_int), strong_int)
        if op in ("**", "<<", ">>") and isinstance(right, Const) and isinstance(right.value, int) and right.value < 0:
            right = Const(self.rng.randint(0, 5), "int")  # the frontend refuses int ** negative literal
        if op == "**" and kind(a) == "int" and kind(b) == "int" and not has_var(right):
            # the frontend folds constants and refuses a negative one (2 ** -1; x ** int8(255): issue 12 item 4)
            small = Const(self.rng.randint(0, 5), "int")
            right = small if b == "int" else Cast(b, small, b)
        if (op == "**" and kind(a) == "int" and isinstance(right, Cast) and isinstance(right.arg, Const)
                and isinstance(right.arg.value, int)):
            right = Cast(right.func, Const(abs(int(right.arg.value)) % 64, "int"), right.type)  # item 4 of issue 12
        return BinOp(op, left, right, pt, weak=pt == "int", py=is_py(pt))

    def result_expr(self, pt: str, scope: Scope, depth: int) -> Expr:
        """An expression of ``pt``, a scalar pseudo-type or a tuple of them (``"T:int,float64"``)."""
        if not is_tuple_type(pt):
            return self.expr(pt, scope, depth)
        items = tuple_items(pt)
        template = "(" + ", ".join(f"{{{i}}}" for i in range(len(items))) + ")"
        return Code(template, [self.expr(t, scope, depth) for t in items], pt)

    def fitted(self, e: Expr, strong: str | None) -> Expr:
        """``e``, or a literal that fits ``strong`` when ``e`` is an ``int`` the frontend may fold to a constant
        (``math.trunc(953)``, ``int(3.5)``): a folded constant must fit the fixed width it meets."""
        if strong is None or e.type != "int" or has_var(e) or (isinstance(e, Const) and
                                                              int_range(strong)[0] <= e.value <= int_range(strong)[1]):
            return e
        return Const(self.int_value(strong), "int")

    def _all_pairs(self, op: str, pt: str) -> list[tuple[str, bool, str, bool]]:
        out = []
        for a in PSEUDO_TYPES:
            for b in PSEUDO_TYPES:
                for al in [False, True] if a in ("float", "complex") else [False]:
                    for bl in [False, True] if b in ("float", "complex") else [False]:
                        if not (al and bl) and binop_result(op, a, al, b, bl, self.options.include_known) == pt:
                            out.append((a, al, b, bl))
        same = [c for c in out if c[0] == c[2] == pt]
        return out + same * max(1, len(out) // max(1, len(same)))  # same-type pairs half the time

    def e_unary(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        k = kind(pt)
        if k == "bool":
            return None
        op = self.rng.choice(["-", "+", "~"] if k == "int" else ["-", "+"])
        arg = self.expr(pt, scope, depth)
        if isinstance(arg, Const):
            return None  # the frontend folds -literal into a literal, which must then fit where it is used
        return Unary(op, arg, pt, weak=pt == "int", py=is_py(pt))

    def e_not(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        return Unary("not", self.expr(self.rng.choice(PSEUDO_TYPES), scope, depth), "bool")

    def e_cast(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        src = self.rng.choice(PSEUDO_TYPES)
        if kind(src) == "complex" and kind(pt) != "complex":
            return None
        func = pt
        return Cast(func, self.expr(src, scope, depth), pt, weak=pt == "int", py=is_py(pt))

    def e_ifexp(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        return IfExp(self.expr("bool", scope, depth), self.expr(pt, scope, depth), self.expr(pt, scope, depth), pt,
                     weak=pt == "int", py=is_py(pt))

    def e_boolop(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        return BoolOp(self.rng.choice(["and", "or"]), self.expr(pt, scope, depth), self.expr(pt, scope, depth), pt)

    def e_compare(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        a = self.rng.choice(PSEUDO_TYPES)
        n = self.rng.choice([1, 1, 1, 2])
        types = [a]
        for _ in range(n):
            types.append(self.rng.choice([a, a, *PSEUDO_TYPES]))
        ops = []
        has_complex = any(kind(t) == "complex" for t in types)
        for x, y in itertools.pairwise(types):
            if "bool" in (kind(x), kind(y)):
                if x != y:
                    return None
                ops.append(self.rng.choice(["==", "!="]))
                continue
            if binop_result("+", x, False, y, False, self.options.include_known) is None:
                return None
            if has_complex:  # the frontend refuses ordering anywhere in a chain that holds a complex
                ops.append(self.rng.choice(["==", "!="]))
            else:
                ops.append(self.rng.choice(["<", "<=", ">", ">=", "==", "!="]))
        strong_int = next((t for t in types if t in INT_TYPES), None)
        return Compare([self.fitted(self.expr(t, scope, depth, fit=strong_int), strong_int) for t in types], ops)

    def e_builtin(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        k = kind(pt)
        choices = []
        if k in ("int", "float") and pt != "bool":
            choices += ["abs", "min", "max", "pow"]
        if k == "float":
            choices += ["absc"]
        if pt == "int":
            choices += ["round"]
        if pt == "float":
            choices += ["round2"]
        if not choices:
            return None
        c = self.rng.choice(choices)
        py = is_py(pt)
        if c == "abs":
            return Call("abs", [self.expr(pt, scope, depth)], pt, weak=pt == "int", py=py)
        if c == "absc":
            src = {"float": "complex", "float64": "complex128", "float32": "complex64"}[pt]
            return Call("abs", [self.expr(src, scope, depth)], pt, py=py)
        if c in ("min", "max"):
            args = [self.expr(pt, scope, depth) for _ in range(self.rng.choice([2, 2, 3]))]
            return Call(c, args, pt, weak=pt == "int", py=py)
        if c == "pow":
            e = self.e_binop(pt, scope, depth)
            if isinstance(e, BinOp) and e.op == "**":
                return Call("pow", [e.left, e.right], pt, weak=e.weak, py=py)
            return e
        if c == "round":
            return Call("round", [self.expr(self.rng.choice(["float", "float64", "float32"]), scope, depth)], "int",
                        weak=True, py=True)
        return Call("round", [self.expr("float", scope, depth), Const(self.rng.randint(-3, 5), "int")], "float",
                    py=True)

    def e_math(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        real = [t for t in PSEUDO_TYPES if kind(t) in ("int", "float")]
        if pt == "int":
            f = self.rng.choice(["floor", "ceil", "trunc"])
            # math.trunc(x) calls x.__trunc__, which NumPy's integers lack (TypeError in CPython)
            src = self.rng.choice([t for t in real if f != "trunc" or t in ("int", "float", "float64")])
            return Call(f"math.{f}", [self.expr(src, scope, depth)], "int", weak=True, py=True)
        if pt == "bool":
            f = self.rng.choice(["isnan", "isinf", "isfinite"])
            return Call(f"math.{f}", [self.expr(self.rng.choice(real), scope, depth)], "bool", py=True)
        if pt != "float":
            return None
        if self.rng.random() < 0.7:
            f = self.rng.choice(MATH_1)
            return Call(f"math.{f}", [self.expr(self.rng.choice(real), scope, depth)], "float", py=True)
        f = self.rng.choice(MATH_2)
        args = [self.expr(self.rng.choice(real), scope, depth) for _ in range(2)]
        return Call(f"math.{f}", args, "float", py=True)

    def e_complex_part(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        if kind(pt) == "complex":
            return Attr(self.expr(pt, scope, depth), "conjugate", pt, py=is_py(pt))
        src = {"float": "complex", "float64": "complex128", "float32": "complex64"}[pt]
        return Attr(self.expr(src, scope, depth), self.rng.choice(["real", "imag"]), pt, py=is_py(pt))

    def e_call(self, pt: str, scope: Scope, depth: int) -> Expr | None:
        options = [s for s in self.callees if s.result == pt]
        cur = self.current
        if cur is not None and cur.recursive and cur.result == pt and "depth" in scope.names:
            options.append(cur)
        if not options:
            return None
        sig = self.rng.choice(options)
        args: list[Expr] = []
        for i, p in enumerate(sig.params):
            if sig.recursive and i == 0:
                if sig is cur:
                    args.append(BinOp("-", Var("depth", "int", weak=True, py=True), Const(1, "int"), "int",
                                      weak=True, py=True))
                else:
                    args.append(Const(self.rng.randint(0, 4), "int"))
            else:
                args.append(self.expr(p, scope, min(depth, 1)))
        return Call(sig.name, args, pt, weak=pt == "int", py=is_py(pt))

    # --- statements ------------------------------------------------------------------------------

    def block(self, scope: Scope, depth: int, n: int) -> list[Stmt]:
        out: list[Stmt] = []
        for _ in range(n):
            if self.statements > 40:
                break
            self.statements += 1
            out += self.statement(scope, depth)
        return out

    def bounded_int(self, scope: Scope, lo: int, hi: int) -> Expr:
        """``max(min(e, hi), lo)``: an int expression that keeps loops short."""
        e = self.expr("int", scope, 2)
        return Call("max", [Call("min", [e, Const(hi, "int")], "int", weak=True, py=True), Const(lo, "int")], "int",
                    weak=True, py=True)

    def statement(self, scope: Scope, depth: int) -> list[Stmt]:
        r = self.rng.random()
        ed = self.options.max_depth
        if r < 0.28 or not scope.names:
            pt = self.rng.choice(PSEUDO_TYPES)
            name = self.fresh("v")
            value = self.expr(pt, scope, ed)
            ann = None
            if self.rng.random() < 0.3:
                ann = pt
            scope.names[name] = pt
            return [Assign(name, value, ann)]
        if r < 0.38:
            name = self.rng.choice(list(scope.names))
            if name.startswith(("i", "w")) or name == "depth":
                return []
            return [Assign(name, self.expr(scope.names[name], scope, ed))]
        if r < 0.48:
            name = self.rng.choice(list(scope.names))
            pt = scope.names[name]
            if name.startswith(("i", "w")) or name == "depth":
                return []
            ops = OPS_BY_KIND[kind(pt)]
            op = self.rng.choice(ops)
            rhs_types = [t for t in PSEUDO_TYPES if binop_result(op, pt, False, t, False, self.options.include_known)
                         == pt]
            if not rhs_types:
                return []
            t = self.rng.choice(rhs_types)
            strong = pt if pt in INT_TYPES else None
            value = self.fitted(self.expr(t, scope, ed - 1, fit=strong), strong)
            if op in ("**", "<<", ">>") and isinstance(value, Const) and isinstance(value.value, int):
                value = Const(abs(value.value) % 70, "int")
            if op == "**" and kind(pt) == "int" and not has_var(value):
                small = Const(self.rng.randint(0, 5), "int")  # a folded negative exponent is refused
                value = small if t == "int" else Cast(t, small, t)
            return [AugAssign(name, op, value)]
        if r < 0.58 and depth > 0:
            cond = self.expr("bool", scope, ed)
            body = self.block(scope.child(), depth - 1, self.rng.randint(1, 3))
            orelse = self.block(scope.child(), depth - 1, self.rng.randint(1, 2)) if self.rng.random() < 0.4 else []
            return [If(cond, body, orelse)]
        if r < 0.66 and depth > 0:
            var = self.fresh("i")
            n = self.rng.choice([1, 2, 2, 3])
            if n == 1:
                args = [self.bounded_int(scope, -2, 6)]
            else:
                args = [self.bounded_int(scope, -6, 6), self.bounded_int(scope, -6, 8)]
                if n == 3:
                    step = (self.bounded_int(scope, -3, 3) if self.rng.random() < 0.2
                            else Const(self.rng.choice([1, 2, 3, -1, -2]), "int"))
                    args.append(step)
            inner = scope.child(in_loop=True)
            inner.names[var] = "int"
            body = self.block(inner, depth - 1, self.rng.randint(1, 3))
            orelse = self.block(scope.child(), depth - 1, 1) if self.rng.random() < 0.25 else []
            return [For(var, args, body, orelse)]
        if r < 0.70 and depth > 0:
            counter = self.fresh("w")
            scope.names.setdefault(counter, "int")
            inner = scope.child(in_loop=True)
            body = self.block(inner, depth - 1, self.rng.randint(1, 3))
            orelse = self.block(scope.child(), depth - 1, 1) if self.rng.random() < 0.25 else []
            return [While(counter, self.rng.randint(1, 6), self.expr("bool", scope, 2), body, orelse)]
        if r < 0.76 and scope.in_loop:
            return [If(self.expr("bool", scope, 2), [Simple(self.rng.choice(["break", "continue"]))])]
        if r < 0.80:
            return [Assert(self.expr("bool", scope, ed), "fuzz" if self.rng.random() < 0.3 else None)]
        if r < 0.86:
            args = [self.expr(self.rng.choice(PSEUDO_TYPES), scope, 2) for _ in range(self.rng.randint(1, 3))]
            sep = self.rng.choice([None, None, ", ", ""])
            end = self.rng.choice([None, None, None, "|", ""])
            return [Print(args, sep, end)]
        if r < 0.90:
            pt = self.rng.choice(["int", *INT_TYPES, "float", "float64", "float32"])
            q, rname = self.fresh("q"), self.fresh("r")
            a, b = self.expr(pt, scope, 2), self.expr(pt, scope, 2)
            scope.names[q] = pt
            scope.names[rname] = pt
            return [DivMod(q, rname, a, b)]
        if r < 0.94 and depth < 2 and self.current is not None:
            return [If(self.expr("bool", scope, 2), [Return(self.result_expr(self.current.result, scope, ed))])]
        if self.tuples:
            return self.tuple_statement(scope, depth)
        return []

    def tuple_statement(self, scope: Scope, depth: int) -> list[Stmt]:
        """Tuples of scalars: unpacking of a tuple or of a call, an item by constant index, and ``enumerate``/
        ``zip`` loops over ranges."""
        r = self.rng.random()
        tuple_callees = [s for s in self.callees if is_tuple_type(s.result)]
        if r < 0.35:
            if tuple_callees and self.rng.random() < 0.6:
                sig = self.rng.choice(tuple_callees)
                args: list[Expr] = [Const(self.rng.randint(0, 3), "int")] if sig.recursive else []
                args += [self.expr(p, scope, 1) for p in sig.params[len(args):]]
                value: Expr = Call(sig.name, args, sig.result)
                items = tuple_items(sig.result)
            else:
                items = [self.rng.choice(PSEUDO_TYPES) for _ in range(self.rng.randint(2, 3))]
                value = self.result_expr("T:" + ",".join(items), scope, 2)
            names = [self.fresh("t") for _ in items]
            stmt = CodeStmt(", ".join(names) + " = {0}", [value])
            scope.names.update(zip(names, items))
            return [stmt]
        if r < 0.5:
            items = [self.rng.choice(PSEUDO_TYPES) for _ in range(self.rng.randint(2, 3))]
            k = self.rng.randrange(-len(items), len(items))
            value = self.result_expr("T:" + ",".join(items), scope, 2)
            name = self.fresh("v")
            tup = self.fresh("t")
            scope.names[name] = items[k]
            return [CodeStmt(f"{tup} = {{0}}", [value]), CodeStmt(f"{name} = {tup}[{k}]", [])]
        if depth <= 0:
            return []
        inner = scope.child(in_loop=True)
        if r < 0.75:
            i, x = self.fresh("i"), self.fresh("i")
            inner.names[i] = inner.names[x] = "int"
            start = self.rng.choice(["", ", 1", ", -2", ", 5"])
            header = f"for {i}, {x} in enumerate(range({{0}}, {{1}}){start}):"
            args = [self.bounded_int(scope, -4, 4), self.bounded_int(scope, -4, 6)]
        else:
            n = self.rng.choice([2, 2, 3])
            names = [self.fresh("i") for _ in range(n)]
            for v in names:
                inner.names[v] = "int"
            ranges = ", ".join(f"range({{{2 * j}}}, {{{2 * j + 1}}})" for j in range(n))
            header = f"for {', '.join(names)} in zip({ranges}):"
            args = [e for _ in range(n) for e in (self.bounded_int(scope, -4, 4), self.bounded_int(scope, -4, 7))]
        return [Loop(header, args, self.block(inner, depth - 1, self.rng.randint(1, 3)))]

    def function(self, sig: Signature, annotations: list[str]) -> Function:
        self.current = sig
        self.statements = 0
        names = ["depth"] if sig.recursive else []
        names += [self.fresh("p") for _ in sig.params[len(names):]]
        scope = Scope(dict(zip(names, sig.params)))
        body: list[Stmt] = []
        if sig.recursive:
            base = self.result_expr(sig.result, Scope({k: v for k, v in scope.names.items() if k != "depth"}), 2)
            body.append(If(Compare([Var("depth", "int", weak=True, py=True), Const(0, "int")], ["<="]),
                           [Return(base)]))
        body += self.block(scope, self.options.max_depth - 1, self.rng.randint(2, 7))
        body.append(Return(self.result_expr(sig.result, scope, self.options.max_depth)))
        return Function(sig.name, list(zip(names, annotations)), sig.result, body)


def has_var(e: Expr) -> bool:
    """Whether an expression reads a variable (else the frontend may fold it into a constant)."""
    return isinstance(e, Var) or any(has_var(c) for c in e.children())


_PAIRS_CACHE: dict[tuple[str, str, bool], list[tuple[str, bool, str, bool]]] = {}
BOUNDARY_TYPES = ["bool", "int", "float", *INT_TYPES, *FLOAT_TYPES]  # wasm exports take no complex


def generate_program(seed: int, options: Options | None = None) -> Program:
    """The program of ``seed``: ``f0`` (the entry, no complex parameter or result) and up to a few callees."""
    options = options or Options()
    kind_ = program_kind(seed, options)
    if kind_ == "array":
        from fuzz.arrays import generate_array_program

        return generate_array_program(seed, options)
    rng = random.Random(seed)
    gen = Generator(rng, options, tuples=kind_ == "tuple")
    n = rng.randint(1, options.max_functions)
    sigs: list[Signature] = []
    for i in range(n):
        pool = BOUNDARY_TYPES if i == 0 else PSEUDO_TYPES
        recursive = i > 0 and rng.random() < 0.3
        params = ["int"] if recursive else []
        params += [rng.choice(pool) for _ in range(rng.randint(0 if recursive else 1, 4))]
        result = rng.choice(pool)
        if gen.tuples and rng.random() < 0.6:  # a tuple result (f0's: of types wasm exports)
            result = "T:" + ",".join(rng.choice(pool) for _ in range(rng.randint(2, 3)))
        sigs.append(Signature(f"f{i}", params, result, recursive))
    functions: list[Function] = []
    for i in reversed(range(n)):
        gen.callees = sigs[i + 1:]
        functions.insert(0, gen.function(sigs[i], list(sigs[i].params)))
    return Program(functions, kind=kind_)


def generate_arguments(program: Program, seed: int, count: int) -> list[list[object]]:
    """``count`` argument lists for the entry function, edge values first (arrays as JSON specs that
    ``fuzz.oracle.make_array`` makes afresh for each call)."""
    if program.kind == "array":
        from fuzz.arrays import generate_array_arguments

        return generate_array_arguments(program, seed, count)
    rng = random.Random(seed * 7919 + 1)
    gen = Generator(rng)
    return [[gen.argument(t) for _, t in program.entry.params] for _ in range(count)]
