"""Building a module: the functions asked for, the functions they call, and their signatures.

Parameters are read from annotations before any body is built, so calls (and recursion) type-check
in any order. A function without a return annotation is built when a caller first needs its
return type; a recursive function that needs its own inferred return type returns None when it has no
``return <value>`` anywhere, and is otherwise an error asking for the annotation.

Example:
    >>> from pyexec.frontend.source import sources_from_text
    >>> mb = ModuleBuilder(include_callees=True)
    >>> for s in sources_from_text("def f(n: int) -> int:\\n    return g(n)\\ndef g(n: int):\\n    return n\\n",
    ...                           "m.py", ["f"], None):
    ...     _ = mb.add(s)
    >>> m = mb.build_all()
    >>> list(m.functions), str(m.functions["g"].return_type)
    (['f', 'g'], 'int')
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from pyexec.frontend.diagnostics import (
    JIT_HINT,
    CompileError,
    CompileNameError,
    CompileTypeError,
    UnsupportedSyntaxError,
)
from pyexec.frontend.ir.nodes import Function, Module, Param
from pyexec.frontend.ir.types import NONE, NoneT, ValueT
from pyexec.frontend.irbuild.annotations import annotation_type, item_flags, names_numpy_bool, names_python_number
from pyexec.frontend.irbuild.arrays import ArgumentType, partial_array_annotation
from pyexec.frontend.irbuild.statements import FunctionBuilder
from pyexec.frontend.source import FunctionSource, source_of_function, static_callee_source, unwrap

Default = int | float | bool | complex | None


def returns_a_value(fn: ast.FunctionDef) -> bool:
    """Whether a function has a ``return <value>`` (``return None`` is none), nested definitions aside.

    Example:
        >>> returns_a_value(ast.parse("def f(n):\n    if n:\n        return\n    f(n - 1)\n").body[0])
        False
    """
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return) and node.value is not None \
                and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return False


class ModuleBuilder:
    """Collects functions (roots and callees) and builds each one once."""

    def __init__(self, include_callees: bool = True) -> None:
        self.include_callees = include_callees
        self.order: list[str] = []
        self.sources: dict[str, FunctionSource] = {}
        self.names_by_key: dict[object, str] = {}
        self.signatures: dict[str, tuple[list[Param], list[Default]]] = {}
        self.annotated: dict[str, ValueT | NoneT | None] = {}
        self.functions: dict[str, Function] = {}
        self.building: list[str] = []
        # Python floats and complexes are weak in NumPy 2's promotion, as Python ints are (those have
        # their own IR type, int): the parameters declared with them and the functions returning them
        self.python_numbers: set[int] = set()
        self.python_returns: set[str] = set()
        self.numpy_bool_vars: set[int] = set()  # parameters and locals holding NumPy's bool_
        # the same two facts per item of a tuple: of tuple parameters and locals, and of functions' results
        self.tuple_var_flags: dict[int, tuple[tuple[bool, bool], ...]] = {}
        self.tuple_returns: dict[str, tuple[tuple[bool, bool], ...]] = {}
        # the types of a call's arguments for parameters without a (complete) annotation, by source key
        self.argument_types: dict[object, list[ArgumentType | None]] = {}
        # the same for callees specialised on a call's arguments, by module name
        self.specialised: dict[str, list[ArgumentType | None]] = {}

    def add(self, src: FunctionSource, root: bool = True, key: object = None,
            argument_types: list[ArgumentType | None] | None = None) -> str:
        """Register a function; returns its name in the module (callees get a fresh one on a clash).

        ``key`` and ``argument_types`` register a specialisation of a callee whose parameters take their
        types from a call's arguments (one per distinct list of types, as Numba's dispatcher compiles)."""
        key = src.key if key is None else key
        if key in self.names_by_key:
            return self.names_by_key[key]
        name = src.name
        if name in self.sources:
            if root:
                raise src.error(CompileError, src.node, f"two functions named '{name}' in one module",
                                "rename one of them")
            n = 2
            while f"{name}_{n}" in self.sources:
                n += 1
            name = f"{name}_{n}"
        self.order.append(name)
        self.sources[name] = src
        self.names_by_key[key] = name
        if argument_types is not None:
            self.specialised[name] = argument_types
        self.parameters(name)
        return name

    @staticmethod
    def typed_by_arguments(src: FunctionSource) -> list[bool]:
        """Which positional parameters take their type from a call's argument (no annotation, or an
        array annotation without its dimensions)."""
        args = src.node.args
        return [a.annotation is None or partial_array_annotation(a.annotation) for a in [*args.posonlyargs, *args.args]]

    def callee(self, ref: object, node: ast.Call, caller: FunctionSource,
               argument_types: Callable[[FunctionSource], list[ArgumentType | None]] | None = None) -> str:
        """The module name of a called function, analysing it into the module if it is new.

        A callee with parameters typed by arguments is specialised: ``argument_types(src)`` gives the
        call's types for those parameters (None for the others), and each distinct list is its own function."""
        key = ref if isinstance(ref, ast.AST) else unwrap(ref)
        if key in self.names_by_key:
            return self.names_by_key[key]
        label = ast.unparse(node.func)
        if not self.include_callees:
            raise caller.error(
                CompileNameError, node.func, f"'{label}' is not one of the functions compiled in this module",
                "pass it along with the others, or analyse with include_callees=True",
            )
        if isinstance(ref, ast.FunctionDef):
            src = static_callee_source(ref, caller)
        elif isinstance(ref, ast.AST):
            raise caller.error(UnsupportedSyntaxError, node.func, f"'{label}' is not a plain 'def' function",
                               JIT_HINT)
        else:
            try:
                src = source_of_function(ref)
            except CompileError as err:
                raise caller.error(type(err), node.func, f"cannot compile the call to '{label}': {err.message}",
                                   err.hint) from None
        if argument_types is not None and any(self.typed_by_arguments(src)):
            types = argument_types(src)
            if all(t is not None for t, typed in zip(types, self.typed_by_arguments(src)) if typed):
                return self.add(src, root=False, key=(key, tuple(types)), argument_types=types)
        return self.add(src, root=False)

    def parameters(self, name: str) -> tuple[list[Param], list[Default]]:
        """The parameters of a function (from annotations) and their default values."""
        if name in self.signatures:
            return self.signatures[name]
        src = self.sources[name]
        fn = src.node
        args = fn.args
        for extra, what in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
            if extra is not None:
                raise src.error(UnsupportedSyntaxError, extra, f"{what} parameters are not supported", JIT_HINT)
        if args.kwonlyargs:
            raise src.error(UnsupportedSyntaxError, args.kwonlyargs[0], "keyword-only parameters are not supported",
                            "make them ordinary parameters")
        positional = [*args.posonlyargs, *args.args]
        defaults: list[Default] = [None] * (len(positional) - len(args.defaults))
        for d in args.defaults:
            try:
                value = ast.literal_eval(d)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                value = None
            if not isinstance(value, (int, float, bool, complex)):
                raise src.error(UnsupportedSyntaxError, d, "a default value must be a number literal", JIT_HINT)
            defaults.append(value)
        params: list[Param] = []
        given = self.specialised.get(name) or self.argument_types.get(src.key, [])
        for i, a in enumerate(positional):
            hint = given[i] if i < len(given) else None
            if hint is not None and (a.annotation is None or partial_array_annotation(a.annotation)):
                params.append(Param(a.arg, hint.type, i, src.loc(a)))
                if hint.python_number:
                    self.python_numbers.add(id(params[-1]))
                elif hint.numpy_bool:
                    self.numpy_bool_vars.add(id(params[-1]))
                continue
            if a.annotation is None:
                raise src.error(
                    CompileTypeError, a, f"parameter '{a.arg}' of '{fn.name}' has no type annotation",
                    f"annotate it, e.g. '{a.arg}: int' (or float, bool, complex, int32, float64[:], …); aot types "
                    "unannotated parameters from the first call's arguments",
                )
            t = annotation_type(a.annotation, src, allow_none=False)
            assert not isinstance(t, NoneT)
            params.append(Param(a.arg, t, i, src.loc(a)))
            flags = item_flags(a.annotation, src)
            if flags is not None:
                self.tuple_var_flags[id(params[-1])] = flags
            if names_python_number(a.annotation, src):
                self.python_numbers.add(id(params[-1]))
            elif names_numpy_bool(a.annotation, src):
                self.numpy_bool_vars.add(id(params[-1]))
        self.signatures[name] = (params, defaults)
        if fn.returns is not None and names_python_number(fn.returns, src):
            self.python_returns.add(name)
        flags = item_flags(fn.returns, src) if fn.returns is not None else None
        if flags is not None:
            self.tuple_returns[name] = flags
        # `-> np.ndarray` says an array but not which: the returned value's type completes it
        self.annotated[name] = (
            annotation_type(fn.returns, src, allow_none=True)
            if fn.returns is not None and not partial_array_annotation(fn.returns) else None
        )
        return params, defaults

    def return_type(self, name: str, node: ast.AST, caller: FunctionSource) -> ValueT | NoneT:
        """The return type of a function: its annotation, or inferred by building it first."""
        annotated = self.annotated[name]
        if annotated is not None:
            return annotated
        if name not in self.functions:
            if name in self.building:
                if not returns_a_value(self.sources[name].node):
                    return NONE  # no 'return <value>' anywhere: it returns None, which recursion cannot change
                raise caller.error(
                    CompileTypeError, node, f"the return type of '{name}' cannot be inferred: it is needed "
                    f"while '{name}' itself is being compiled (recursion)",
                    f"annotate it, e.g. 'def {name}(...) -> int:'",
                )
            self.build(name)
        return self.functions[name].return_type

    def build(self, name: str) -> Function:
        """Build one function (once)."""
        if name not in self.functions:
            params, _ = self.parameters(name)
            self.building.append(name)
            try:
                fn = FunctionBuilder(self, self.sources[name], params, self.annotated[name]).build()
            finally:
                self.building.pop()
            fn.name = name
            self.functions[name] = fn
        return self.functions[name]

    def build_all(self) -> Module:
        """Build every registered function, including callees found on the way."""
        i = 0
        while i < len(self.order):
            self.build(self.order[i])
            i += 1
        source_file = self.sources[self.order[0]].file if self.order else "<unknown>"
        return Module({n: self.functions[n] for n in self.order}, source_file)
