"""The child process that compiles and calls generated programs (``python -m fuzz.worker``).

It reads one task per line on stdin (JSON: the program's source and oracle source, arguments, backend
configurations) and answers on the file descriptor that was its stdout, one event per line, *before* each
compile and each call as well as after, so that the parent knows which call hung or killed the process.
File descriptor 1 itself is pointed at a temporary file: code that prints from C (Numba) cannot garble the
protocol, and what it printed is read back per call.

Configurations: ``["aot", opt, overflow]``, ``["wasm", opt, overflow]`` (wasmtime), ``["node", opt, overflow]``
(the same wasm through its JS glue in Node), ``["jit", 0, "check"]``. Calls of odd
``-O`` levels are made from a new thread with a 256 KiB stack, the others from the main thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import io
import json
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fuzz.oracle import argument_state, encode_value, materialize, run_oracle

_LIBC = ctypes.CDLL(None)


class Capture:
    """What a call printed, through ``sys.stdout`` or through C's stdout (file descriptor 1)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        os.dup2(self.file.fileno(), 1)

    def run_in_thread(self, func: Callable[..., Any], args: list[Any]) -> list[Any]:
        """The call made from a new thread with a small (256 KiB) stack: compiled code keeps its error state,
        jump buffers and stack budget per thread, and must not assume the main thread's 8 MiB."""
        result: list[Any] = []
        old = threading.stack_size(256 * 1024)
        try:
            t = threading.Thread(target=lambda: result.append(self.run(func, args)))
            t.start()
            t.join()
        finally:
            threading.stack_size(old)
        return result[0]

    def run(self, func: Callable[..., Any], args: list[Any]) -> list[Any]:
        from pyexec.frontend import CompileError

        self.file.seek(0)
        self.file.truncate()
        buf = io.StringIO()
        args = [materialize(a) for a in args]  # arrays made afresh for each call: the call may write into them
        try:
            with contextlib.redirect_stdout(buf), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = func(*args)
            outcome, detail = ["return", encode_value(value)], ""
        except CompileError as exc:  # aot compiles a function with parameters typed from the call at the call
            outcome, detail = ["rejected", type(exc).__name__], str(exc)[:2000]
        except Exception as exc:  # every exception type is an outcome to compare
            outcome, detail = ["raise", type(exc).__name__], str(exc)[:300]
        _LIBC.fflush(None)
        self.file.seek(0)
        c_out = self.file.read().decode("utf-8", "replace")
        # the message is shown, not compared; the caller's arrays after the call are compared
        return [*outcome, buf.getvalue() + c_out, detail, argument_state(args)]


def load_module(source: str, name: str, directory: Path) -> Any:
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def build(config: list[Any], source: str, entry: str, name: str, directory: Path,
          bare: bool = False) -> Callable[..., Any]:
    """The entry function compiled by one backend configuration (``bare``: some parameters are typed from
    the call, so ``aot`` compiles at the first call)."""
    backend, opt, overflow = config
    if backend == "aot":
        from pyexec import aot

        module = load_module(source, name, directory)
        compiled = aot(getattr(module, entry), opt=opt, overflow=overflow, cache=False)
        if not bare:
            compiled.compile()
        return compiled
    if backend == "wasm":
        import pyexec.frontend as fe
        from pyexec.backends.wasm.build import compile_ir_module
        from pyexec.backends.wasm.loader import load

        module = load_module(source, name, directory)
        ir_module = fe.analyze_functions([getattr(module, entry)])
        wasm = compile_ir_module(ir_module, optimize=opt, functions=[entry], overflow=overflow)
        return getattr(load(wasm.wasm), entry)
    if backend == "node":
        return build_node(opt, overflow, source, entry, name, directory)
    if backend == "jit":
        import inspect

        from pyexec import jit

        module = load_module(source, name, directory)
        for attr, value in list(vars(module).items()):
            if inspect.isfunction(value) and value.__module__ == name:
                setattr(module, attr, jit(value))
        return getattr(module, entry)
    raise ValueError(f"unknown backend {backend!r}")


NODE_RUNNER = r"""
import { pathToFileURL } from "node:url";
const [modulePath, request] = process.argv.slice(2);
const { entry, args } = JSON.parse(request);
const view = new DataView(new ArrayBuffer(8));
const decode = ([kind, value]) => {
  if (kind === "int") return BigInt(value);
  if (kind === "bool") return value;
  view.setBigUint64(0, BigInt("0x" + value)); return view.getFloat64(0);
};
let printed = "";
const load = (await import(pathToFileURL(modulePath))).default;
const m = await load(undefined, { print: (text, complete) => { printed += text + (complete ? "\n" : ""); } });
let answer;
try {
  const value = m.functions[entry](...args.map(decode));
  if (typeof value === "number") view.setFloat64(0, value);
  answer = { outcome: "return", kind: typeof value, text: String(value),
             bits: typeof value === "number" ? view.getBigUint64(0).toString(16).padStart(16, "0") : null };
} catch (err) {
  answer = { outcome: "raise", type: err.pythonType || err.name, message: String(err.message) };
}
answer.printed = printed;
process.stdout.write(JSON.stringify(answer));
"""
"""Runs one call of a generated module through its ES module glue in Node (the web's path)."""


def build_node(opt: int, overflow: str, source: str, entry: str, name: str, directory: Path) -> Callable[..., Any]:
    """The entry function compiled to wasm with its JS glue, each call run by Node (``node`` on PATH).

    Math comes from the linked libm (``libm="linked"``): the engine's ``Math`` differs from CPython in the
    last bits on a few percent of inputs (docs/backends/wasm.md), the linked one on under 0.1%."""
    import shutil
    import struct
    import subprocess

    import pyexec.frontend as fe
    from pyexec.backends.wasm.build import compile_ir_module, write_outputs

    node = shutil.which("node")
    if node is None:
        raise RuntimeError("the node backend needs Node.js on PATH")
    module = load_module(source, name, directory)
    ir_module = fe.analyze_functions([getattr(module, entry)])
    function = ir_module.functions[entry]
    compiled = compile_ir_module(ir_module, optimize=opt, functions=[entry], overflow=overflow, libm="linked")
    files = write_outputs(compiled, directory / f"{name}.wasm", generate_html=False)
    runner = directory / "node_runner.mjs"
    if not runner.exists():
        runner.write_text(NODE_RUNNER)

    def encode(value: Any, param_type: Any) -> list[Any]:
        if param_type.is_float:
            return ["float", struct.pack(">d", float(value)).hex()]
        if param_type.is_bool:
            return ["bool", bool(value)]
        return ["int", str(int(value))]

    def call(*args: Any) -> Any:
        request = json.dumps({"entry": entry, "args": [encode(a, p.type) for a, p in zip(args, function.params)]})
        done = subprocess.run([node, str(runner), str(files["js"]), request], capture_output=True, text=True,
                              timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"node exited with status {done.returncode}: {done.stderr[-500:]}")
        answer = json.loads(done.stdout)
        sys.stdout.write(answer["printed"])
        if answer["outcome"] == "raise":
            import builtins

            exception = getattr(builtins, answer["type"], None)
            if not (isinstance(exception, type) and issubclass(exception, BaseException)):
                exception = RuntimeError
            raise exception(answer["message"])
        result = function.return_type
        if answer["kind"] == "undefined":
            return None
        if result.is_float:
            return struct.unpack(">d", bytes.fromhex(answer["bits"]))[0]
        if result.is_bool:
            return answer["text"] == "true"
        return int(answer["text"])

    return call


def main() -> None:
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    capture = Capture()
    directory = Path(tempfile.mkdtemp(prefix="pyexec-fuzz-"))
    serial = 0

    def send(**event: Any) -> None:
        proto.write(json.dumps(event) + "\n")
        proto.flush()

    send(ev="ready")
    for line in sys.stdin:
        task = json.loads(line)
        entry, annotations, args = task["entry"], task["annotations"], task["args"]
        for mode in task["oracle_modes"]:
            outcomes = [run_oracle(task["oracle"], entry, annotations, a, overflow=mode,
                                   timeout=task["oracle_timeout"]).to_json() for a in args]
            send(ev="oracle", mode=mode, outcomes=outcomes)
        for i, config in task["configs"]:
            serial += 1
            send(ev="compile", cfg=i)
            try:
                # wasm has no call to type a parameter from: it gets every annotation written
                source = task["source"] if config[0] in ("aot", "jit") else task.get("annotated_source", task["source"])
                func = build(config, source, entry, f"fuzzprog{os.getpid()}_{serial}", directory,
                             task.get("bare", False))
            except Exception as exc:  # a compile failure is a verdict
                from pyexec.frontend import CompileError

                kind = "rejected" if isinstance(exc, CompileError) or type(exc).__name__ == "JitCompileError" \
                    else "compiler-error"
                send(ev=kind, cfg=i, error=f"{type(exc).__name__}: {exc}"[:2000])
                continue
            # Odd -O levels are called from a small-stack thread, even ones from the main thread.
            call = capture.run_in_thread if config[1] % 2 == 1 else capture.run
            for k, a in enumerate(args):
                send(ev="call", cfg=i, k=k)
                send(ev="result", cfg=i, k=k, outcome=call(func, a))
        send(ev="done")


if __name__ == "__main__":
    main()
