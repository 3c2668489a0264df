"""pyexec: compile Python functions to native code, shared libraries, WebAssembly and executables.

``import pyexec`` is light: each name below is imported from its distribution
the first time it is used (PEP 562), so no compiler or runtime loads until needed.

Example:
    >>> import pyexec
    >>> int(pyexec.uint8(300))
    44
"""

# The other distributions install portions of this namespace (PEP 420): let them join it.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)

import importlib as _importlib

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # scalar types (pyexec-types)
    **{
        name: "pyexec.types"
        for name in (
            "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float32", "float64", "complex64", "complex128", "bool_",
        )
    },
}
"""Public name → the module that defines it. Backends add their names as they land."""

_OPTIONAL_EXPORTS: dict[str, tuple[str, str]] = {
    # name: (module, distribution that provides it)
    "CompileError": ("pyexec.frontend", "pyexec-frontend"),
    "jit": ("pyexec.backends.jit", "pyexec-jit"),
    "aot": ("pyexec.backends.llvm", "pyexec-llvm"),
    "compile_llvm": ("pyexec.backends.llvm", "pyexec-llvm"),
    "wasm": ("pyexec.backends.wasm", "pyexec-wasm"),
    "wasm_multi": ("pyexec.backends.wasm", "pyexec-wasm"),
    "load_wasm": ("pyexec.backends.wasm", "pyexec-wasm"),
    "aot_compile": ("pyexec.backends.nuitka", "pyexec-nuitka"),
    "MemoryManager": ("pyexec.memory", "pyexec-memory"),
    "WasmMemoryManager": ("pyexec.wasm_memory", "pyexec-memory"),
    "compile": ("pyexec.mode", "pyexec"),
    "explain": ("pyexec.explanation", "pyexec"),
}

_ATTR_ALIASES: dict[str, str] = {"load_wasm": "load"}
"""Names re-exported under a clearer name than their module gives them."""

__all__ = [*_EXPORTS, *_OPTIONAL_EXPORTS, "__version__"]


def __getattr__(name: str) -> object:
    module_name = _EXPORTS.get(name)
    dist = "pyexec"
    if module_name is None and name in _OPTIONAL_EXPORTS:
        module_name, dist = _OPTIONAL_EXPORTS[name]
    if module_name is None:
        raise AttributeError(f"module 'pyexec' has no attribute {name!r}")
    try:
        module = _importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise ImportError(
                f"pyexec.{name} comes from the {dist!r} distribution, which is not installed; "
                f"install it from the pyexec repository (see the README's package table)"
            ) from exc
        raise
    value = getattr(module, _ATTR_ALIASES.get(name, name))
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
