"""Where wasm code runs in the loader: on the calling thread, or on a helper thread when its stack is small.

wasmtime runs wasm code on the stack of the thread that calls it, and lets it use up to
:data:`WASM_STACK_BYTES` of that stack before it stops a deep recursion with a STACK_OVERFLOW trap (which
the loader raises as RecursionError). A thread whose whole stack is smaller than that (``threading.
stack_size(256 * 1024)``, ``ulimit -s 512``) would hit its guard page first, and the process would die of
SIGSEGV. So a call from such a thread runs on a short-lived helper thread with a stack large enough, and
the calling thread waits for it; every other call runs in place at no cost beyond one per-thread lookup.

Example:
    >>> run_on_wasm_stack(lambda: 6 * 7)
    42
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

WASM_STACK_BYTES = 512 << 10
"""The most stack wasm code may use (wasmtime's ``max_wasm_stack``): about 16 000 frames of a recursive
``fib`` at -O2, against CPython's limit of 1 000."""
HOST_RESERVE_BYTES = 256 << 10
"""Room left for the frames below the wasm code: Python's, ctypes', wasmtime's own."""
HELPER_STACK_BYTES = WASM_STACK_BYTES + (2 << 20)
"""The stack of a helper thread."""

_local = threading.local()
_create_lock = threading.Lock()


def _stack_size_of_this_thread() -> int | None:
    """The size in bytes of the calling thread's stack, or None where it cannot be read."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        if sys.platform == "darwin":
            libc.pthread_self.restype = ctypes.c_void_p
            libc.pthread_get_stacksize_np.restype = ctypes.c_size_t
            libc.pthread_get_stacksize_np.argtypes = [ctypes.c_void_p]
            return int(libc.pthread_get_stacksize_np(libc.pthread_self()))
        if not sys.platform.startswith("linux"):
            return None
        libc.pthread_self.restype = ctypes.c_ulong
        attr = ctypes.create_string_buffer(256)  # pthread_attr_t: 56 bytes on glibc x86-64, 64 on aarch64
        if libc.pthread_getattr_np(ctypes.c_ulong(libc.pthread_self()), attr) != 0:
            return None
        try:
            address, size = ctypes.c_void_p(), ctypes.c_size_t()
            if libc.pthread_attr_getstack(attr, ctypes.byref(address), ctypes.byref(size)) != 0:
                return None
            return int(size.value)
        finally:
            libc.pthread_attr_destroy(attr)
    except (OSError, AttributeError):
        return None


def stack_is_too_small() -> bool:
    """Whether the calling thread's stack cannot hold :data:`WASM_STACK_BYTES` of wasm frames plus the
    host's (read once per thread; an unknown size counts as large enough).

    Example:
        >>> stack_is_too_small()   # the main thread of a default process: 8 MiB
        False
    """
    small = getattr(_local, "small", None)
    if small is None:
        size = _stack_size_of_this_thread()
        small = _local.small = size is not None and size < WASM_STACK_BYTES + HOST_RESERVE_BYTES
    return small


class _Helper:
    """A daemon thread with a stack of :data:`HELPER_STACK_BYTES` that runs one call at a time for a
    waiting caller. Idle helpers are kept for the next call (as many as calls ever ran at once)."""

    def __init__(self) -> None:
        self._start = threading.Semaphore(0)
        self._done = threading.Semaphore(0)
        self._call: Callable[[], Any] | None = None
        self._outcome: tuple[bool, Any] = (True, None)
        # threading.stack_size is process-wide: set it only while creating the thread
        with _create_lock:
            previous = threading.stack_size(HELPER_STACK_BYTES)
            try:
                threading.Thread(target=self._serve, name="pyexec-wasm-stack", daemon=True).start()
            finally:
                threading.stack_size(previous)

    def _serve(self) -> None:
        while True:
            self._start.acquire()
            call, self._call = self._call, None
            try:
                self._outcome = (True, call() if call is not None else None)
            except BaseException as exc:  # handed back to the calling thread, which raises it
                self._outcome = (False, exc)
            self._done.release()

    def run(self, call: Callable[[], T]) -> tuple[bool, Any]:
        self._call = call
        self._start.release()
        interrupted: BaseException | None = None
        while True:
            try:
                self._done.acquire()
                break
            except BaseException as exc:  # a Ctrl-C while waiting: the helper still runs the call
                interrupted = exc
        outcome, self._outcome = self._outcome, (True, None)
        if interrupted is not None:
            raise interrupted
        return outcome


_idle: list[_Helper] = []
_idle_lock = threading.Lock()


def run_on_wasm_stack(call: Callable[[], T]) -> T:
    """``call()``, on this thread when its stack is large enough, else on a helper thread with a stack of
    :data:`HELPER_STACK_BYTES` (this thread waits; the result or exception comes back unchanged).

    Example:
        >>> run_on_wasm_stack(lambda: "ran")
        'ran'
    """
    if not stack_is_too_small():
        return call()
    with _idle_lock:
        helper = _idle.pop() if _idle else None
    if helper is None:
        helper = _Helper()
    try:
        ok, value = helper.run(call)
    finally:
        with _idle_lock:
            _idle.append(helper)
    if not ok:
        raise value
    return value
