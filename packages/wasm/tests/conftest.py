"""Shared fixtures: emit a wasm32 object from LLVM IR text, link it, instantiate it in wasmtime."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import wasmtime

from pyexec.backends.wasm.codegen import emit_object


@pytest.fixture(scope="session")
def engine() -> wasmtime.Engine:
    return wasmtime.Engine()


@pytest.fixture
def emit() -> Callable[..., bytes]:
    return emit_object


@pytest.fixture
def instantiate(engine: wasmtime.Engine) -> Callable[..., tuple[wasmtime.Store, dict]]:
    """Validate and instantiate linked bytes with libm imports from Python's math; return (store, exports)."""

    def run(wasm: bytes, printed: list | None = None) -> tuple[wasmtime.Store, dict]:
        wasmtime.Module.validate(engine, wasm)
        store = wasmtime.Store(engine)
        module = wasmtime.Module(engine, wasm)
        linker = wasmtime.Linker(engine)
        f64 = wasmtime.ValType.f64()
        for imp in module.imports:
            if imp.name in ("fmod", "pow"):
                fn = math.fmod if imp.name == "fmod" else _c_pow
                linker.define_func("env", imp.name, wasmtime.FuncType([f64, f64], [f64]), fn)
            elif imp.name == "sin":
                linker.define_func("env", "sin", wasmtime.FuncType([f64], [f64]), math.sin)
            elif imp.name == "pyexec_print_i64":
                sink = printed if printed is not None else []
                linker.define_func("env", imp.name, wasmtime.FuncType([wasmtime.ValType.i64()], []), sink.append)
        instance = linker.instantiate(store, module)
        return store, dict(instance.exports(store))

    return run


def _c_pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except (OverflowError, ValueError):
        return math.nan


_PAGE_HARNESS = """
// The demo page's own script, run in Node against a minimal DOM: type into the inputs, press a button.
const elements = new Map();
const element = (id) => {
  if (!elements.has(id)) {
    elements.set(id, { id, value: "", checked: false, textContent: "", className: "", dataset: {},
                       listeners: [], addEventListener(kind, f) { this.listeners.push(f); } });
  }
  return elements.get(id);
};
globalThis.document = { getElementById: element };
const inputs = JSON.parse(process.argv[2]);
for (const [id, value, data] of inputs) Object.assign(element(id), { value, dataset: data });
await import("./page.mjs");
for (let i = 0; i < 100 && element("status").textContent !== "ready"; i++) await new Promise((r) => setTimeout(r, 20));
console.log(element("status").textContent);
for (const fn of JSON.parse(process.argv[3])) {
  element(`${fn}-run`).listeners.forEach((f) => f());
  console.log(element(`${fn}-result`).textContent, element(`${fn}-result`).className);
}
"""


@pytest.fixture(scope="session")
def page_harness() -> str:
    """A Node script that runs a demo page's module script against a minimal DOM (argv: inputs, buttons)."""
    return _PAGE_HARNESS
