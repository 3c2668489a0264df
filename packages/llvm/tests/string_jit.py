"""The string runtime JIT-ed alone (llvmlite MCJIT), called with ctypes on blocks built here.

Run as a child process (``python string_jit.py``) it serves calls as JSON lines on stdin/stdout, so a
fault in a routine kills the child and fails the test instead of ending the test run
(:class:`RuntimeWorker`). ``{"call": "upper", "args": ["abc"]}`` answers ``{"value": "ABC"}``.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import threading
from typing import Any

RUNTIME_SIGNATURES: dict[str, tuple[Any, tuple[str, ...]]] = {
    # name: (result kind, argument kinds) -- kinds: s str (borrowed), S str or None, i int, h the block list
    "upper": ("s", ("h", "s")),
    "lower": ("s", ("h", "s")),
    "strip": ("s", ("h", "s", "S", "i32")),
    "startswith": ("b", ("s", "s", "i", "i")),
    "endswith": ("b", ("s", "s", "i", "i")),
    "find": ("i", ("s", "s", "i", "i")),
    "count": ("i", ("s", "s", "i", "i")),
    "replace": ("s", ("h", "s", "s", "s", "i")),
    "isdigit": ("b", ("s",)),
    "isalpha": ("b", ("s",)),
    "isspace": ("b", ("s",)),
    "join": ("s", ("h", "s", "L")),
}


class StringRuntime:
    """The array runtime and the string routines in one MCJIT module of this process."""

    def __init__(self, extra_ir: tuple[str, ...] = ()) -> None:
        import llvmlite.binding as llvm

        from pyexec.backends.llvm.array_runtime import array_runtime_ir
        from pyexec.backends.llvm.optimize import host_target_machine, optimize, parse
        from pyexec.backends.llvm.string_format import float_digits_native_ir, string_format_ir
        from pyexec.backends.llvm.string_methods import string_methods_ir

        tm = host_target_machine(2)
        module = parse(array_runtime_ir())
        for text in (string_methods_ir(), string_format_ir(), float_digits_native_ir(), *extra_ir):
            module.link_in(parse(text.replace('target triple = "unknown-unknown-unknown"', "")))
        optimize(module, tm, 2)
        self._engine = llvm.create_mcjit_compiler(module, tm)
        self._engine.finalize_object()
        self._head = ctypes.c_void_p(0)
        self._fns: dict[str, Any] = {}

    def fn(self, name: str, restype: Any, *argtypes: Any) -> Any:
        key = name
        if key not in self._fns:
            addr = self._engine.get_function_address(name)
            self._fns[key] = ctypes.CFUNCTYPE(restype, *argtypes)(addr)
        return self._fns[key]

    def live(self) -> int:
        return self.fn("pyexec_rt_live_blocks", ctypes.c_int64)()

    def make(self, text: str) -> int:
        data = text.encode("utf-8")
        s = self.fn("pyexec_str_new", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(
            ctypes.byref(self._head), len(data))
        ctypes.memmove(s + 4, data, len(data))
        self.fn("pyexec_str_finish", None, ctypes.c_void_p)(s)
        return s

    def read(self, s: int) -> str:
        n = ctypes.c_int32.from_address(s).value
        raw = ctypes.string_at(s + 4, n)
        assert ctypes.c_uint8.from_address(s + 4 + n).value == 0, "no NUL after the bytes"
        assert ctypes.c_uint8.from_address(s - 4).value == 0x02, "not tagged as a string"
        ascii_flag = bool(ctypes.c_uint8.from_address(s - 3).value & 2)
        assert ascii_flag == raw.isascii(), f"ASCII flag {ascii_flag} for {raw!r}"
        return raw.decode("utf-8")

    def release(self, s: int) -> None:
        self.fn("pyexec_rt_decref", None, ctypes.c_void_p)(s)

    def format(self, kind: str, value: Any, spec: str) -> str:
        """Format ``value`` (``kind``: int, uint, float, float32, str) with the runtime routine the
        compiler picks for ``format(value, spec)``; ``float32`` with an empty spec is ``str(np.float32)``."""
        from pyexec.frontend.format_spec import parse_format_spec

        c = ctypes
        f = parse_format_spec(spec, "int" if kind == "uint" else "float" if kind == "float32" else kind)
        common = (ord(f.fill), ord(f.align), ord(f.sign))
        sep = ord(f.sep) if f.sep else 0
        head = c.byref(self._head)
        made = None
        if kind in ("int", "uint") and f.type in "dxXob":
            fn = self.fn("pyexec_fmt_int", c.c_void_p, c.c_void_p, c.c_uint64 if kind == "uint" else c.c_int64,
                         c.c_int32, c.c_int32, c.c_int32, c.c_int32, c.c_int32, c.c_int32, c.c_int64, c.c_int32)
            out = fn(head, value, kind == "uint", ord(f.type), *common, f.alt, f.width, sep)
        elif kind == "str":
            made = self.make(value)
            fn = self.fn("pyexec_fmt_str", c.c_void_p, c.c_void_p, c.c_void_p, c.c_int32, c.c_int32, c.c_int64,
                         c.c_int64)
            out = fn(head, made, ord(f.fill), ord(f.align), f.width, f.precision)
        else:
            fn = self.fn("pyexec_fmt_float", c.c_void_p, c.c_void_p, c.c_double, c.c_int32, c.c_int32, c.c_int64,
                         c.c_int32, c.c_int32, c.c_int32, c.c_int32, c.c_int64, c.c_int32)
            out = fn(head, float(value), kind == "float32" and spec == "", ord(f.type), f.precision, *common,
                     f.alt, f.width, sep)
        if made:
            self.release(made)
        assert out, "allocation failed"
        text = self.read(out)
        self.release(out)
        return text

    def call(self, name: str, args: list[Any]) -> Any:
        """Call ``pyexec_str_<name>`` with Python values; strings are built and released here."""
        result, kinds = RUNTIME_SIGNATURES[name]
        made: list[int] = []
        cargs: list[Any] = []
        ctypes_args: list[Any] = []
        values = iter(args)
        for kind in kinds:
            if kind == "h":
                cargs.append(ctypes.byref(self._head))
                ctypes_args.append(ctypes.c_void_p)
                continue
            value = next(values)
            if kind in "sS":
                ptr = None if value is None else self.make(value)
                if ptr is not None:
                    made.append(ptr)
                cargs.append(ptr)
                ctypes_args.append(ctypes.c_void_p)
            elif kind == "L":
                ptrs = [self.make(v) for v in value]
                made.extend(ptrs)
                cargs += [(ctypes.c_void_p * max(1, len(ptrs)))(*ptrs), len(ptrs)]
                ctypes_args += [ctypes.c_void_p, ctypes.c_int64]
            elif kind == "i32":
                cargs.append(value)
                ctypes_args.append(ctypes.c_int32)
            else:
                cargs.append(value)
                ctypes_args.append(ctypes.c_int64)
        restype = {"s": ctypes.c_void_p, "b": ctypes.c_int32, "i": ctypes.c_int64}[result]
        out = self.fn(f"pyexec_str_{name}", restype, *ctypes_args)(*cargs)
        for ptr in made:
            self.release(ptr)
        if result == "s":
            assert out, "allocation failed"
            text = self.read(out)
            self.release(out)
            return text
        return bool(out) if result == "b" else out


class RuntimeWorker:
    """A child process serving :class:`StringRuntime` calls; a crash there is an error here."""

    def __init__(self) -> None:
        env = dict(os.environ)
        self._proc = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, env=env, bufsize=1)
        self._lock = threading.Lock()
        assert self._request({"call": "live", "args": []}) is not None

    def _request(self, message: dict[str, Any]) -> Any:
        with self._lock:
            assert self._proc.stdin and self._proc.stdout
            self._proc.stdin.write(json.dumps(message) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            raise AssertionError(f"the runtime worker died (exit status {code}) on {message!r}")
        reply = json.loads(line)
        if "error" in reply:
            raise AssertionError(reply["error"])
        return reply["value"]

    def __call__(self, name: str, *args: Any) -> Any:
        return self._request({"call": name, "args": list(args)})

    def live(self) -> int:
        return self._request({"call": "live", "args": []})

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)


def _serve() -> None:
    import traceback

    runtime = StringRuntime()
    for line in sys.stdin:
        message = json.loads(line)
        try:
            if message["call"] == "live":
                value: Any = runtime.live()
            elif message["call"] == "format":
                value = runtime.format(*message["args"])
            elif message["call"] == "threads":
                value = _threaded(runtime, *message["args"])
            else:
                value = runtime.call(message["call"], message["args"])
            reply = {"value": value}
        except Exception:  # a failed check reported to the parent, which fails the test with it
            reply = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def _threaded(runtime: StringRuntime, name: str, args: list[Any], threads: int, repeat: int) -> list[Any]:
    # The routines keep no global state; each thread uses its own block list head.
    results: list[Any] = [None] * threads

    def work(k: int) -> None:
        local = StringRuntime.__new__(StringRuntime)
        local.__dict__.update(runtime.__dict__)
        local._head = ctypes.c_void_p(0)
        out = None
        for _ in range(repeat):
            out = local.format(*args) if name == "format" else local.call(name, args)
        results[k] = out

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    threading.stack_size(256 * 1024)
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


if __name__ == "__main__":
    _serve()
