"""What a global name means inside a compiled function.

Two sources of globals: a live function's ``__globals__`` (objects, classified by
identity), and a source file read statically (its module-level imports and constant
assignments, without executing it). Both give :class:`Binding` values, so the builder
never asks which one it has.

Example:
    >>> import math
    >>> env = LiveGlobals({"math": math, "N": 10})
    >>> env.lookup("N"), type(env.lookup("math")).__name__
    (ConstBinding(value=10, type_name=None), 'MathModuleBinding')
"""

from __future__ import annotations

import ast
import builtins
import math
import sys
import types
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

# --- bindings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConstBinding:
    """A module-level number, folded in as a constant (``type_name`` for NumPy scalars)."""

    value: int | float | bool | complex
    type_name: str | None = None


@dataclass(frozen=True)
class TypeBinding:
    """A scalar type: a pyexec type, a NumPy scalar class, or a builtin (``int``, ``float``, …)."""

    name: str
    """An IR type name (a key of ``pyexec.frontend.ir.types.BY_NAME``)."""


@dataclass(frozen=True)
class MathModuleBinding:
    """The ``math`` module."""


@dataclass(frozen=True)
class MathFunctionBinding:
    """A function or constant of ``math`` imported by name (``from math import sqrt``)."""

    name: str


@dataclass(frozen=True)
class BuiltinBinding:
    """A builtin function the subset knows (``abs``, ``print``, ``range``, …) or not (``len``)."""

    name: str


@dataclass(frozen=True)
class FunctionBinding:
    """A Python function: a live function object, or a top-level ``def`` of a file read statically."""

    ref: object


@dataclass(frozen=True)
class ModuleBinding:
    """Another module: its attributes are looked up (``np.float32``, ``pyexec.int32``)."""

    module: object
    name: str


@dataclass(frozen=True)
class NumpyFunctionBinding:
    """A NumPy function compiled code knows (``np.zeros``, ``np.arange``, …; :data:`NUMPY_FUNCTIONS`)."""

    name: str


NUMPY_FUNCTIONS = frozenset(
    {"empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like", "arange", "copy", "sum",
     "prod", "min", "max", "amin", "amax", "mean", "argmin", "argmax", "dot", "matmul", "sqrt", "exp", "log", "sin",
     "cos", "tan", "abs", "absolute", "eye", "linspace"}
)
"""The NumPy functions compiled code can call (array constructors, copies and whole-array reductions)."""


@dataclass(frozen=True)
class OtherBinding:
    """Anything else (a list, a class, a string): using it is an error that says what it is."""

    description: str


Binding = (
    ConstBinding | TypeBinding | MathModuleBinding | MathFunctionBinding | BuiltinBinding | FunctionBinding
    | ModuleBinding | NumpyFunctionBinding | OtherBinding
)

SUBSET_BUILTINS = frozenset(
    {"abs", "min", "max", "round", "divmod", "pow", "print", "range", "int", "float", "bool", "complex", "str", "ord",
     "chr"}
)
"""Builtins that compiled code may call (``int``/``float``/``bool``/``complex`` as casts)."""

_BUILTIN_TYPES = {"int": "int", "float": "float", "bool": "bool", "complex": "complex"}
_SCALAR_NAMES = frozenset(
    {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float32", "float64", "complex64", "complex128", "bool_"}
)


def _describe(obj: object) -> str:
    if isinstance(obj, type):
        return f"the class {obj.__name__}"
    return f"a {type(obj).__name__}"


def builtin_binding(name: str) -> Binding | None:
    """The meaning of a builtin name not shadowed by a global, or ``None`` if there is no such builtin.

    Example:
        >>> builtin_binding("float"), builtin_binding("abs")
        (TypeBinding(name='float'), BuiltinBinding(name='abs'))
    """
    if name in _BUILTIN_TYPES:
        return TypeBinding(_BUILTIN_TYPES[name])
    if name in SUBSET_BUILTINS or hasattr(builtins, name):
        return BuiltinBinding(name)
    return None


def _math_function_names() -> dict[int, str]:
    return {id(getattr(math, n)): n for n in dir(math) if callable(getattr(math, n)) and not n.startswith("_")}


_MATH_BY_ID = _math_function_names()
_BUILTIN_BY_ID = {id(getattr(builtins, n)): n for n in SUBSET_BUILTINS if n not in _BUILTIN_TYPES}


def classify(obj: object) -> Binding:
    """The binding of a live object found in a function's globals.

    Example:
        >>> classify(math.sqrt), classify(2.5)
        (MathFunctionBinding(name='sqrt'), ConstBinding(value=2.5, type_name=None))
    """
    if obj is math:
        return MathModuleBinding()
    if isinstance(obj, (bool, int, float, complex)):
        return ConstBinding(obj)
    if obj in (int, float, bool, complex):
        return TypeBinding(obj.__name__)  # type: ignore[attr-defined]
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        # Only NumPy objects can be NumPy scalars; when NumPy is loaded, pyexec.types is cheap to load.
        if isinstance(obj, numpy.generic) or (isinstance(obj, type) and issubclass(obj, numpy.generic)):
            from pyexec.types.scalars import scalar_type_of

            info = scalar_type_of(obj if isinstance(obj, type) else type(obj))
            if info is not None:
                if isinstance(obj, type):
                    return TypeBinding(info.name)
                return ConstBinding(obj.item(), info.name)
        for name in NUMPY_FUNCTIONS:
            if obj is getattr(numpy, name):
                return NumpyFunctionBinding(name)
    scalars = sys.modules.get("pyexec.types.scalars")
    if scalars is not None and isinstance(obj, scalars.ScalarType):
        return TypeBinding(obj.name)
    if callable(obj) and id(obj) in _MATH_BY_ID and getattr(math, _MATH_BY_ID[id(obj)]) is obj:
        return MathFunctionBinding(_MATH_BY_ID[id(obj)])
    if callable(obj) and id(obj) in _BUILTIN_BY_ID and getattr(builtins, _BUILTIN_BY_ID[id(obj)]) is obj:
        return BuiltinBinding(_BUILTIN_BY_ID[id(obj)])
    if obj is tuple or obj is getattr(sys.modules.get("typing"), "Tuple", None):
        return BuiltinBinding("tuple")  # only meaningful in an annotation: tuple[int, float]
    if isinstance(obj, types.ModuleType):
        return ModuleBinding(obj, obj.__name__)
    if isinstance(obj, types.FunctionType) or hasattr(obj, "__wrapped__") or hasattr(obj, "py_func"):
        return FunctionBinding(obj)
    return OtherBinding(_describe(obj))


class Globals(ABC):
    """The global names one function sees."""

    @abstractmethod
    def lookup(self, name: str) -> Binding | None:
        """The binding of ``name`` (globals first, then builtins), or ``None``."""

    @abstractmethod
    def attribute(self, module: ModuleBinding, attr: str) -> Binding | None:
        """The binding of ``module.attr``, or ``None`` if the module has no such attribute."""

    @abstractmethod
    def names(self) -> list[str]:
        """Every name worth suggesting for a typo."""


class LiveGlobals(Globals):
    """Globals of a live function: its ``__globals__`` mapping, objects classified by identity."""

    def __init__(self, namespace: Mapping[str, object]) -> None:
        self.namespace = namespace

    def lookup(self, name: str) -> Binding | None:
        if name in self.namespace:
            return classify(self.namespace[name])
        return builtin_binding(name)

    def attribute(self, module: ModuleBinding, attr: str) -> Binding | None:
        try:
            value = getattr(module.module, attr)
        except Exception:  # a module's __getattr__ may raise anything; the name is simply absent
            return None
        return classify(value)

    def names(self) -> list[str]:
        return [n for n in self.namespace if not n.startswith("__")] + sorted(SUBSET_BUILTINS)


UNASSIGNED = object()
"""The value of a closure cell that the enclosing function has not assigned yet."""


class ClosureGlobals(Globals):
    """A nested function's free variables, frozen when it is compiled, then its module's globals.

    As in Numba, a cell holding a number, a scalar type, ``math`` or one of its functions, or another
    function is a compile-time constant: compiled code never sees a later rebinding. Any other value
    (a list, an object) could change under the compiled code, so using it is refused with that reason.

    Example:
        >>> env = ClosureGlobals({"scale": 3, "xs": [1]}, LiveGlobals({}))
        >>> env.lookup("scale"), env.lookup("xs").description.split(";")[0]
        (ConstBinding(value=3, type_name=None), 'a list from the enclosing function')
    """

    def __init__(self, cells: Mapping[str, object], outer: Globals) -> None:
        self.cells = dict(cells)
        self.outer = outer

    def lookup(self, name: str) -> Binding | None:
        if name not in self.cells:
            return self.outer.lookup(name)
        value = self.cells[name]
        if value is UNASSIGNED:
            return OtherBinding("a variable of the enclosing function that is not assigned yet when this "
                                "function is compiled; assign it before the first call")
        binding = classify(value)
        if isinstance(binding, OtherBinding):
            return OtherBinding(f"{binding.description} from the enclosing function; compiled code freezes only "
                                "numbers, scalar types, math functions and functions (pass it as a parameter)")
        return binding

    def attribute(self, module: ModuleBinding, attr: str) -> Binding | None:
        return self.outer.attribute(module, attr)

    def names(self) -> list[str]:
        return list(self.cells) + self.outer.names()


@dataclass(frozen=True)
class StaticModule:
    """A module imported by a file read statically (``numpy``, ``pyexec``, ``pyexec.types``)."""

    name: str


class StaticGlobals(Globals):
    """Globals of a file read without executing it: imports of ``math``, ``numpy`` and pyexec types,
    simple constant assignments, and the file's top-level functions.

    Example:
        >>> tree = ast.parse("import math as m\\nfrom pyexec import int32\\nN = -3\\ndef f(): pass")
        >>> env = StaticGlobals(tree)
        >>> env.lookup("m"), env.lookup("int32"), env.lookup("N")
        (MathModuleBinding(), TypeBinding(name='int32'), ConstBinding(value=-3, type_name=None))
    """

    def __init__(self, tree: ast.Module) -> None:
        self.bindings: dict[str, Binding] = {}
        assigned: dict[str, int] = {}
        for stmt in tree.body:
            for name, binding in self._bindings_of(stmt):
                assigned[name] = assigned.get(name, 0) + 1
                self.bindings[name] = binding
        for name, count in assigned.items():
            if count > 1:
                self.bindings[name] = OtherBinding("a name assigned more than once at module level")

    def _bindings_of(self, stmt: ast.stmt) -> list[tuple[str, Binding]]:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [(stmt.name, FunctionBinding(stmt))]
        if isinstance(stmt, ast.ClassDef):
            return [(stmt.name, OtherBinding(f"the class {stmt.name}"))]
        if isinstance(stmt, ast.Import):
            out: list[tuple[str, Binding]] = []
            for alias in stmt.names:
                if alias.asname is None:
                    top = alias.name.split(".")[0]
                    out.append((top, self._module(top)))
                else:
                    out.append((alias.asname, self._module(alias.name)))
            return out
        if isinstance(stmt, ast.ImportFrom):
            module = stmt.module or ""
            if module == "math" and any(a.name == "*" for a in stmt.names):
                return [(n, MathFunctionBinding(n)) for n in dir(math) if not n.startswith("_")]
            return [(a.asname or a.name, self._from_import(module, a.name)) for a in stmt.names]
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            binding: Binding = OtherBinding("a module-level value that is not a simple number")
            if stmt.value is not None:
                try:
                    value = ast.literal_eval(stmt.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    value = None
                if isinstance(value, (bool, int, float, complex)):
                    binding = ConstBinding(value)
            return [(n, binding) for n in names]
        return []

    @staticmethod
    def _module(name: str) -> Binding:
        if name == "math":
            return MathModuleBinding()
        return ModuleBinding(StaticModule(name), name)

    def _from_import(self, module: str, name: str) -> Binding:
        if module == "math":
            return MathFunctionBinding(name)
        if module in ("pyexec", "pyexec.types", "numpy") and name in _SCALAR_NAMES:
            return TypeBinding(name)
        if module == "typing" and name == "Tuple":
            return BuiltinBinding("tuple")
        if module == "numpy" and name in NUMPY_FUNCTIONS:
            return NumpyFunctionBinding(name)
        return OtherBinding(f"a name imported from {module or 'a relative module'}")

    def lookup(self, name: str) -> Binding | None:
        if name in self.bindings:
            return self.bindings[name]
        return builtin_binding(name)

    def attribute(self, module: ModuleBinding, attr: str) -> Binding | None:
        if module.name in ("pyexec", "pyexec.types", "numpy") and attr in _SCALAR_NAMES:
            return TypeBinding(attr)
        if module.name == "typing" and attr == "Tuple":
            return BuiltinBinding("tuple")
        if module.name == "numpy" and attr in NUMPY_FUNCTIONS:
            return NumpyFunctionBinding(attr)
        if module.name == "pyexec" and attr == "types":
            return ModuleBinding(StaticModule("pyexec.types"), "pyexec.types")
        return None

    def names(self) -> list[str]:
        return list(self.bindings) + sorted(SUBSET_BUILTINS)


class ChainedGlobals(Globals):
    """Names defined by a source string first, then a caller-given mapping (``analyze_source(globals=…)``)."""

    def __init__(self, first: StaticGlobals, second: LiveGlobals) -> None:
        self.first = first
        self.second = second

    def lookup(self, name: str) -> Binding | None:
        if name in self.first.bindings:
            return self.first.bindings[name]
        return self.second.lookup(name)

    def attribute(self, module: ModuleBinding, attr: str) -> Binding | None:
        if isinstance(module.module, StaticModule):
            return self.first.attribute(module, attr)
        return self.second.attribute(module, attr)

    def names(self) -> list[str]:
        return self.first.names() + self.second.names()
