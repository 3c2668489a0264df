"""A nested function as a module of its own, its free variables frozen to the values they hold at build time.

An executable imports its entry point by name, and a function defined inside another function
(a test, a factory) has no name to import. ``aot_compile`` writes such a function's source into a
generated module instead, with every name it reads from its enclosing functions (closure cells)
and from its module (globals) bound to the value that name holds now, as Numba freezes free
variables. What can be frozen:

- a number, ``str``, ``bytes``, ``None``, or a tuple or frozenset of those;
- a pyexec scalar type (``uint8``), a NumPy scalar type or value (the executable then contains
  NumPy and ``pyexec.types``);
- ``math``, one of its functions, a builtin, or any other module (imported in the executable);
- another function: a top-level function of another importable module is imported, any other
  (a nested one, or one of the same file) has its source frozen the same way, recursively.

A value the function could see change (a list, a dict, a set, an object, a class), a cell its
enclosing function assigns more than once (or in a loop, or through ``nonlocal``) and a function
that assigns a global are refused with :class:`UnfreezableVariableError`, naming the variable.

Example:
    >>> def make(scale):
    ...     def times(x: int) -> int:
    ...         return x * scale
    ...     return times
    >>> program = freeze_function(make(3))
    >>> program.module_name, "scale = 3" in program.source
    ('pyexec_frozen_times', True)
"""

from __future__ import annotations

import ast
import builtins
import dis
import inspect
import linecache
import math
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyexec.backends.nuitka.errors import UnfreezableVariableError, UnsupportedFunctionError
from pyexec.backends.nuitka.function_target import locate_function

MODULE_PREFIX = "pyexec_frozen_"
SCALAR_TYPES_MODULE = "pyexec.types.scalars"
_NUMPY_ALIAS = "_pyexec_numpy"
_CONSTANT_TYPES = (type(None), bool, int, float, complex, str, bytes)
_GLOBAL_READS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS"})
_GLOBAL_WRITES = frozenset({"STORE_GLOBAL", "DELETE_GLOBAL"})
_FIX = ("pass it to the function as a parameter, make it a value that cannot change (a number, a string, "
        "a tuple), or define the function at the top level of its module")


@dataclass(frozen=True)
class FrozenProgram:
    """The generated module holding a nested function: ``from <module_name> import <function_name>``."""

    module_name: str
    function_name: str
    source: str
    search_path: tuple[Path, ...]
    """Folders of the user's modules the frozen code imports (the build puts them on the path)."""
    needs_scalar_types: bool
    """The code uses ``pyexec.types`` (so the executable contains it and NumPy)."""


def is_nested(func: Callable[..., Any]) -> bool:
    """True for a function defined inside another function (or a class), whose name cannot be imported.

    Example:
        >>> import json
        >>> is_nested(json.dumps), is_nested(lambda: 0)
        (False, False)
    """
    return inspect.isfunction(func) and func.__name__ != "<lambda>" and func.__qualname__ != func.__name__


def python_function(value: object) -> types.FunctionType | None:
    """The plain Python function ``value`` is, or that a pyexec/Numba decorator compiled; else None."""
    if isinstance(value, types.FunctionType):
        return None if hasattr(value, "__wrapped__") else value
    module = type(value).__module__ or ""
    if module.split(".")[0] in ("pyexec", "numba"):
        inner = getattr(value, "py_func", None) or getattr(value, "__wrapped__", None)
        if isinstance(inner, types.FunctionType):
            return inner
    return None


# --- values → source ------------------------------------------------------------------------------


def _float_source(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    return f"float({repr(value)!r})"  # float('nan'), float('inf'), float('-inf')


def constant_source(value: object) -> str | None:
    """Source that rebuilds the immutable ``value`` exactly, or None if it is not such a value.

    Example:
        >>> constant_source((1, 2.5, "a", None)), constant_source((7,)), constant_source(float("inf"))
        ("(1, 2.5, 'a', None)", '(7,)', "float('inf')")
        >>> constant_source(frozenset({2, 1})), constant_source([1])
        ('frozenset([1, 2])', None)
    """
    kind = type(value)
    if kind is float:
        return _float_source(value)  # type: ignore[arg-type]
    if kind is complex:
        return f"complex({_float_source(value.real)}, {_float_source(value.imag)})"  # type: ignore[attr-defined]
    if kind in _CONSTANT_TYPES:
        return repr(value)
    if kind is tuple:
        items = [constant_source(item) for item in value]  # type: ignore[attr-defined]
        if any(item is None for item in items):
            return None
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # type: ignore[arg-type]
    if kind is frozenset:
        items = [constant_source(item) for item in value]  # type: ignore[attr-defined]
        if any(item is None for item in items):
            return None
        return f"frozenset([{', '.join(sorted(items))}])"  # sorted: the same source (and cache key) every run
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic) and type(value).__module__ == "numpy":
        item = constant_source(value.item())
        if item is not None and getattr(numpy, kind.__name__, None) is kind:
            return f"{_NUMPY_ALIAS}.{kind.__name__}({item})"
    return None


def _describe(value: object) -> str:
    if isinstance(value, type):
        return f"the class {value.__qualname__}"
    if isinstance(value, types.FunctionType) and hasattr(value, "__wrapped__"):
        return f"the function {value.__qualname__} wrapped by a decorator"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"the callable {value.__qualname__} ({type(value).__name__})"
    return f"a {type(value).__name__}"


# --- which names a function reads, and how its cells are assigned -------------------------------------


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def global_names(func: types.FunctionType) -> tuple[list[str], list[str]]:
    """The global names ``func`` (and the functions, lambdas and comprehensions inside it) reads and writes."""
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    for code in _code_objects(func.__code__):
        for instruction in dis.get_instructions(code):
            if instruction.opname in _GLOBAL_READS:
                reads[instruction.argval] = None
            elif instruction.opname in _GLOBAL_WRITES:
                writes[instruction.argval] = None
    return list(reads), list(writes)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _binding_nodes(scope: ast.AST, name: str) -> Iterator[tuple[ast.AST, bool]]:
    """Each node of ``scope``'s own body that binds ``name``, with whether it sits in a loop."""

    def visit(node: ast.AST, in_loop: bool) -> Iterator[tuple[ast.AST, bool]]:
        for child in ast.iter_child_nodes(node):
            looping = in_loop or (isinstance(node, _LOOPS) and child is not getattr(node, "iter", None)
                                  and child is not getattr(node, "test", None))
            if isinstance(child, _SCOPES):
                if getattr(child, "name", None) == name:
                    yield child, looping
                for default in _outer_parts(child):
                    yield from visit(default, looping)
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    yield from ((n, True) for n in _nonlocal_writes(child, name))
                continue
            if isinstance(child, ast.comprehension):
                # Its target is the comprehension's own variable; only a walrus in it binds out here.
                for part in (child.iter, *child.ifs):
                    yield from visit(ast.Expr(value=part), looping)
                continue
            if isinstance(child, ast.Name) and child.id == name and isinstance(child.ctx, (ast.Store, ast.Del)):
                yield child, looping
            elif isinstance(child, ast.alias) and (child.asname or child.name.split(".")[0]) == name:
                yield child, looping
            elif isinstance(child, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and child.name == name:
                yield child, looping
            yield from visit(child, looping)

    body = scope.body if isinstance(scope, ast.Lambda) else scope
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = scope.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        yield from ((arg, False) for arg in every if arg is not None and arg.arg == name)
        if isinstance(scope, ast.Lambda):
            yield from visit(body, False)
            return
        for statement in scope.body:
            yield from visit(ast.Module(body=[statement], type_ignores=[]), False)
        return
    yield from visit(body, False)


def _outer_parts(scope: ast.AST) -> list[ast.AST]:
    """The parts of a nested def, lambda or class evaluated in the enclosing scope (defaults, decorators, bases)."""
    parts: list[ast.AST] = list(getattr(scope, "decorator_list", []))
    if isinstance(scope, ast.ClassDef):
        return parts + list(scope.bases) + [k.value for k in scope.keywords]
    arguments = scope.args  # type: ignore[attr-defined]
    return parts + list(arguments.defaults) + [d for d in arguments.kw_defaults if d is not None]


def _nonlocal_writes(scope: ast.AST, name: str) -> list[ast.AST]:
    """Statements in ``scope`` (at any depth) that declare ``name`` nonlocal: each can rebind the cell."""
    return [node for node in ast.walk(scope) if isinstance(node, ast.Nonlocal) and name in node.names]


def _defines_locally(scope: ast.AST, name: str) -> bool:
    if any(isinstance(n, (ast.Nonlocal, ast.Global)) and name in n.names for n in _own_nodes(scope)):
        return False
    return any(True for _ in _binding_nodes(scope, name))


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _function_node(func: types.FunctionType) -> tuple[ast.AST, dict[ast.AST, ast.AST]] | None:
    """The ``def`` of ``func`` in its file's syntax tree, and the tree's child → parent map."""
    filename = func.__code__.co_filename
    source = "".join(linecache.getlines(filename, func.__globals__))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    parents: dict[ast.AST, ast.AST] = {}
    found = None
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func.__name__:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if func.__code__.co_firstlineno in (first, node.lineno):
                found = node
    return (found, parents) if found is not None else None


def reassigned_cell(func: types.FunctionType, name: str) -> str | None:
    """Why the cell ``name`` of ``func`` can change after the build (assigned twice, in a loop, ``nonlocal``), or None.

    The scope that owns the cell is read from the source file; a source that cannot be read is a reason too.
    """
    located = _function_node(func)
    if located is None:
        return "the source of the function that defines it cannot be read, so pyexec cannot check that it is " \
               "assigned only once"
    node, parents = located
    if _nonlocal_writes(node, name):
        return f"{func.__qualname__} assigns it (nonlocal {name})"
    scope = parents.get(node)
    while scope is not None:
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and _defines_locally(scope, name):
            break
        scope = parents.get(scope)
    if scope is None:
        return None  # not a cell of an enclosing function in this file (a class's __class__, say): checked by value
    bindings = list(_binding_nodes(scope, name))
    owner = getattr(scope, "name", "<lambda>")
    lines = sorted({getattr(n, "lineno", 0) for n, _ in bindings if getattr(n, "lineno", 0)})
    where = f" (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})" if lines else ""
    if any(isinstance(n, ast.Nonlocal) for n, _ in bindings):
        return f"a function inside {owner} rebinds it with nonlocal{where}"
    if len(bindings) > 1:
        return f"{owner} assigns it more than once{where}"
    if any(in_loop for _, in_loop in bindings):
        return f"{owner} assigns it in a loop{where}"
    return None


# --- the generated module ---------------------------------------------------------------------------


class _Freezer:
    """Collects the module-level bindings of the generated module; one name, one value."""

    def __init__(self, target: types.FunctionType) -> None:
        self.target = target
        self.imports: dict[str, None] = {}
        self.assignments: dict[str, str] = {}
        self.definitions: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.owners: dict[str, tuple[object, str]] = {}
        """name → (what it is bound to, who needs it): two different values for one name are refused."""
        self.frozen: dict[int, str] = {}
        self.keep_alive: list[object] = []
        self.search_path: dict[Path, None] = {}
        self.needs_scalar_types = False
        self.needs_numpy = False

    def claim(self, name: str, key: object, needed_by: str) -> bool:
        """Reserve ``name`` for ``key``; False if it already holds that; raise if it holds something else."""
        if name in self.owners:
            held, first = self.owners[name]
            if held == key:
                return False
            raise UnsupportedFunctionError(
                f"{self.target.__qualname__} cannot be frozen into one module: the name {name!r} means one thing "
                f"in {first} and another in {needed_by}; rename one of them")
        self.owners[name] = (key, needed_by)
        return True

    def bind(self, name: str, value: object, needed_by: types.FunctionType, cell: bool) -> None:
        user = needed_by.__qualname__
        where = f"a variable of the function enclosing {user}" if cell else f"a global of {user}"
        constant = constant_source(value)
        if constant is not None:
            if self.claim(name, ("constant", constant), user):
                self.assignments[name] = constant
                self.needs_numpy |= _NUMPY_ALIAS in constant
            return
        statement = self._import_statement(name, value)
        if statement is not None:
            if self.claim(name, ("import", statement), user):
                self.imports[statement] = None
            return
        function = python_function(value)
        if function is not None:
            self.function(function, name, user)
            return
        raise UnfreezableVariableError(
            f"{user} uses {name!r}, {where}, which holds {_describe(value)}. The executable freezes what {name!r} "
            "holds at build time, so it must be a value nothing can change later: a number, string or tuple, a "
            f"scalar type, math or another module, or a plain function. Fix: {_FIX}",
            variable=name, function=user)

    def _import_statement(self, name: str, value: object) -> str | None:
        alias = "" if getattr(value, "__name__", None) == name else f" as {name}"
        if value is math:
            return f"import math{alias}"
        if isinstance(value, types.ModuleType):
            return self._module_import(name, value)
        if callable(value) and getattr(math, getattr(value, "__name__", ""), None) is value:
            return f"from math import {value.__name__}{alias}"  # type: ignore[attr-defined]
        if getattr(builtins, getattr(value, "__name__", "") or "", None) is value and not isinstance(value, str):
            return f"from builtins import {value.__name__}{alias}"  # type: ignore[attr-defined]
        scalars = sys.modules.get(SCALAR_TYPES_MODULE)
        if scalars is not None and isinstance(value, scalars.ScalarType) and scalars.ALL_TYPES.get(value.name) is value:
            self.needs_scalar_types = True
            return f"from {SCALAR_TYPES_MODULE} import {value.name}{alias}"
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(value, type) and issubclass(value, numpy.generic) \
                and getattr(numpy, value.__name__, None) is value:
            self.needs_numpy = True
            return f"from numpy import {value.__name__}{alias}"
        if callable(value) and not isinstance(value, types.FunctionType):
            return self._reference_import(name, value)
        return None

    def _reference_import(self, name: str, value: object) -> str | None:
        """``from module import thing`` for a class or callable of another module that the module gives by name."""
        module_name = getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        if not isinstance(module_name, str) or not isinstance(qualname, str) or not qualname.isidentifier():
            return None
        if module_name in ("__main__", self.target.__module__) or module_name.split(".")[0] == "pyexec":
            return None
        module = sys.modules.get(module_name)
        if module is None or getattr(module, qualname, None) is not value:
            return None
        alias = "" if qualname == name else f" as {name}"
        return f"from {module_name} import {qualname}{alias}"

    def _module_import(self, name: str, module: types.ModuleType) -> str:
        module_name = module.__name__
        if module_name == "__main__" or getattr(module, "__spec__", None) is None:
            raise UnfreezableVariableError(
                f"{name!r} is the module {module_name}, which the executable cannot import; import what the "
                "function uses from it by name", variable=name, function=self.target.__qualname__)
        if module_name.split(".")[0] == "pyexec" and not module_name.startswith("pyexec.types"):
            raise UnfreezableVariableError(
                f"{name!r} is the module {module_name}: pyexec's compilers are not part of an executable; import "
                "the scalar types the function uses by name (from pyexec import uint8) so they are frozen",
                variable=name, function=self.target.__qualname__)
        if module_name.startswith("pyexec.types"):
            self.needs_scalar_types = True
        top = module_name.split(".")[0]
        if name == top and "." not in module_name:
            return f"import {module_name}"
        return f"import {module_name} as {name}"

    def function(self, func: types.FunctionType, name: str, needed_by: str) -> None:
        """Bind ``name`` to ``func``: imported from its module if it is importable, else its source frozen here."""
        if func is not self.target and not is_nested(func) and func.__module__ not in ("__main__",
                                                                                      self.target.__module__):
            try:
                located = locate_function(func)
            except UnsupportedFunctionError:
                located = None
            if located is not None:
                alias = "" if name == located.function_name else f" as {name}"
                statement = f"from {located.module_name} import {located.function_name}{alias}"
                if self.claim(name, ("import", statement), needed_by):
                    self.imports[statement] = None
                    self.search_path[located.root] = None
                return
        defined = self.frozen.get(id(func))
        if defined is None:
            defined = func.__name__
            if func.__name__ == "<lambda>":
                raise UnfreezableVariableError(
                    f"{needed_by} uses {name!r}, a lambda, whose source cannot be frozen on its own; define it with "
                    "def", variable=name, function=needed_by)
            self.claim(defined, ("function", id(func)), needed_by)
            self.frozen[id(func)] = defined
            self.keep_alive.append(func)
            self.definitions[defined] = self._frozen_source(func)
        if name != defined and self.claim(name, ("function", id(func)), needed_by):
            self.aliases[name] = defined

    def _frozen_source(self, func: types.FunctionType) -> str:
        user = func.__qualname__
        try:
            source = textwrap.dedent(inspect.getsource(func))
        except (OSError, TypeError):
            raise UnsupportedFunctionError(
                f"the source of {user} cannot be read (it was not defined in a file); define it in a .py file"
            ) from None
        try:
            tree = ast.parse(source)
        except SyntaxError:
            raise UnsupportedFunctionError(f"the source of {user} cannot be read back as a function") from None
        node = tree.body[0] if tree.body else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != func.__name__:
            raise UnsupportedFunctionError(f"the source of {user} cannot be read back as a function")
        # The function object itself is what is frozen: its decorators already ran (a pyexec/Numba one was
        # unwrapped above, any other one returned this very function), and its defaults are values now.
        node.decorator_list = []
        self._freeze_defaults(func, node)
        _, writes = global_names(func)
        if writes:
            raise UnfreezableVariableError(
                f"{user} assigns the global {writes[0]!r}; frozen code has no module to keep it in. Fix: return "
                "the value instead", variable=writes[0], function=user)
        cells = dict(zip(func.__code__.co_freevars, func.__closure__ or (), strict=True))
        for cell_name, cell in cells.items():
            try:
                value = cell.cell_contents
            except ValueError:
                raise UnfreezableVariableError(
                    f"{user} uses {cell_name!r}, a variable of the function enclosing it that is not assigned yet; "
                    "assign it before calling aot_compile", variable=cell_name, function=user) from None
            reason = reassigned_cell(func, cell_name)
            if reason is not None:
                raise UnfreezableVariableError(
                    f"{user} uses {cell_name!r}, a variable of the function enclosing it, and {reason}: the "
                    f"executable freezes the value it holds at build time, which {user} could see change. Fix: "
                    f"assign it once before the def, or {_FIX}", variable=cell_name, function=user)
            self.bind(cell_name, value, func, cell=True)
        reads, _ = global_names(func)
        namespace = func.__globals__
        for global_name in reads:
            if global_name in namespace and global_name not in cells:
                self.bind(global_name, namespace[global_name], func, cell=False)
        return ast.unparse(node)

    def _freeze_defaults(self, func: types.FunctionType, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        def frozen(parameter: str, value: object) -> ast.expr:
            text = constant_source(value)
            if text is None:
                raise UnfreezableVariableError(
                    f"the default of parameter {parameter!r} of {func.__qualname__} is {_describe(value)}, which "
                    "cannot be frozen; use a number, string, tuple or None", variable=parameter,
                    function=func.__qualname__)
            self.needs_numpy |= _NUMPY_ALIAS in text
            return ast.parse(text, mode="eval").body

        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults = func.__defaults__ or ()
        with_default = positional[len(positional) - len(defaults):] if defaults else []
        arguments.defaults = [frozen(arg.arg, value) for arg, value in zip(with_default, defaults, strict=True)]
        kwdefaults = func.__kwdefaults__ or {}
        arguments.kw_defaults = [frozen(arg.arg, kwdefaults[arg.arg]) if arg.arg in kwdefaults else None
                                 for arg in arguments.kwonlyargs]

    def module_source(self) -> str:
        target = self.target
        lines = [
            f'"""Generated by pyexec-nuitka: {target.__qualname__} from {target.__module__}, its free variables '
            'frozen to their values at build time."""',
            "",
            "from __future__ import annotations",
            "",
        ]
        if self.needs_numpy:
            self.imports[f"import numpy as {_NUMPY_ALIAS}"] = None
        lines += sorted(self.imports)
        if self.imports:
            lines.append("")
        lines += [f"{name} = {value}" for name, value in self.assignments.items()]
        for definition in self.definitions.values():
            lines += ["", "", definition]
        if self.aliases:
            lines += ["", ""] + [f"{name} = {defined}" for name, defined in self.aliases.items()]
        return "\n".join(lines).rstrip() + "\n"


def freeze_function(func: Callable[..., Any]) -> FrozenProgram:
    """The module that defines ``func`` (a nested function) with its free variables frozen; see the module doc.

    Raises :class:`UnfreezableVariableError` naming a variable whose value could change after the build.
    """
    target = python_function(func)
    if target is None:
        raise UnsupportedFunctionError(f"aot_compile builds an executable from a Python function, not {func!r}")
    if target.__name__ == "<lambda>":
        raise UnsupportedFunctionError(
            "aot_compile cannot build from a lambda (its source cannot be read back on its own); define the "
            "function with def")
    freezer = _Freezer(target)
    freezer.function(target, target.__name__, target.__qualname__)
    return FrozenProgram(
        module_name=MODULE_PREFIX + target.__name__,
        function_name=target.__name__,
        source=freezer.module_source(),
        search_path=tuple(freezer.search_path),
        needs_scalar_types=freezer.needs_scalar_types,
    )
