"""Stopping wasm code that runs too long: Ctrl-C and the start function's time limit.

The loader's engine is built with wasmtime's *epoch interruption*: compiled code checks a counter on loop
back-edges and function entries. A daemon thread (the ticker) advances that counter every :data:`TICK`
seconds, but only while a wasm call runs on the main thread or a module is being instantiated. Each store
has a deadline callback that wasmtime runs, in the thread running the wasm code, at the first check past a
tick; it asks :class:`Interrupts` whether to stop, and when it says so wasmtime unwinds the call with an
error that the loader turns back into the right Python exception.

Ctrl-C: CPython runs signal handlers only in the main thread, between bytecodes. A long wasm call runs
no bytecode, except inside callbacks from wasm (the deadline callback, ``print``), where an exception
raised by the handler would be lost in ctypes. So the loader wraps the Python-level SIGINT handler
once (``signal.getsignal(SIGINT)`` then shows the wrapper): outside wasm calls the wrapper calls the
original handler at once; inside a main-thread wasm call it records the signal, the next deadline callback
stops the call, and the loader then calls the original handler, so ``KeyboardInterrupt`` (or whatever the
program's handler does) reaches the caller. A program that installs another handler later is wrapped
again at its next wasm call.

Example:
    >>> interrupts = Interrupts()
    >>> interrupts.stop_reason(None) is None
    True
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

TICK = 0.01
"""Seconds between epoch ticks while wasm code runs on the main thread (the Ctrl-C latency)."""

IDLE_TICK = 0.1
"""Seconds between the ticker's checks once no wasm call has needed a tick for 10 ticks."""

_MAIN = threading.main_thread().ident

try:  # signal.getsignal converts to an enum through a raised ValueError: ~5 µs a call; the C function ~0.1 µs
    from _signal import getsignal as _getsignal
except ImportError:  # pragma: no cover - an interpreter without the _signal module
    _getsignal = signal.getsignal


class Interrupted(Exception):
    """A wasm call was stopped by the epoch callback (the loader raises what ``reason`` names)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Interrupts:
    """The process-wide state of interruption: the ticker, the SIGINT wrapper, and what stops a call."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._main_depth = 0          # main-thread wasm calls in progress (only the main thread changes it)
        self._instantiating = 0       # instantiations in progress (guarded by _lock)
        self._sigint = False          # a SIGINT arrived during a main-thread wasm call
        self._wrapper: Callable[[int, FrameType | None], Any] | None = None
        self._wrapped: Any = None
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None
        self._for_main: set[int] = set()  # threads running a main-thread call (thread_stack's helpers)

    # --- the ticker -----------------------------------------------------------------------------

    def start(self, engine: Any) -> None:
        """Tick ``engine``'s epoch from a daemon thread while wasm code may need stopping."""
        with self._lock:
            self._engine = engine
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, name="pyexec-wasm-epoch", daemon=True)
                self._ticker.start()

    def _tick(self) -> None:
        idle = 0
        while True:
            # Idle, it wakes 10 times a second, not 100: the first tick of a new long call comes at most
            # IDLE_TICK late, which only delays Ctrl-C by as much.
            time.sleep(TICK if idle < 10 else IDLE_TICK)
            if self._main_depth or self._instantiating:
                self._engine.increment_epoch()
                idle = 0
            else:
                idle += 1

    # --- the deadline callback ------------------------------------------------------------------

    def install(self, store: Any, limit: Callable[[], str | None]) -> Any:
        """Give ``store`` a deadline callback that stops its wasm code when asked; return it (keep it alive).

        ``limit()`` says why the store's current work must stop (a time limit), or None.
        """
        from wasmtime import _bindings
        from wasmtime import _ffi as ffi

        binding = _bindings._wasmtime_store_epoch_deadline_callback
        callback_type, finalizer_type = binding.argtypes[1], binding.argtypes[3]

        def on_deadline(context: Any, data: Any, delta: Any, kind: Any) -> int:
            delta[0] = 1
            kind[0] = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE
            reason = self.stop_reason(limit)
            if reason is None:
                return 0
            error = ffi.wasmtime_error_new(reason.encode("utf-8"))
            return ctypes.cast(error, ctypes.c_void_p).value or 0

        callback = callback_type(on_deadline)
        binding(store.ptr(), callback, None, ctypes.cast(0, finalizer_type))
        store.set_epoch_deadline(1)
        return callback

    def stop_reason(self, limit: Callable[[], str | None] | None) -> str | None:
        """Why the wasm code running in this thread must stop now, or None."""
        if self._sigint and (threading.get_ident() == _MAIN or threading.get_ident() in self._for_main):
            return "KeyboardInterrupt"
        return limit() if limit is not None else None

    def run_for_main(self, call: Callable[[], Any]) -> Any:
        """``call()`` in this thread on behalf of a main-thread wasm call (that thread waits for it):
        Ctrl-C stops it as it would stop the call on the main thread."""
        me = threading.get_ident()
        if me == _MAIN:
            return call()
        with self._lock:
            self._for_main.add(me)
        try:
            return call()
        finally:
            with self._lock:
                self._for_main.discard(me)

    # --- SIGINT -----------------------------------------------------------------------------------

    def enter(self) -> bool:
        """Mark the start of a wasm call; True when it runs on the main thread (then call :meth:`leave`)."""
        if threading.get_ident() != _MAIN:
            return False
        handler = _getsignal(signal.SIGINT)
        if handler is not self._wrapper and callable(handler):
            self._wrap(handler)
        self._main_depth += 1
        return True

    def leave(self) -> None:
        """Mark the end of a main-thread wasm call; deliver a SIGINT that arrived during it."""
        self._main_depth = max(0, self._main_depth - 1)
        if self._main_depth == 0 and self._sigint:
            self._sigint = False
            self._wrapped(signal.SIGINT, None)

    def begin_instantiation(self) -> None:
        with self._lock:
            self._instantiating += 1

    def end_instantiation(self) -> None:
        with self._lock:
            self._instantiating -= 1

    def _wrap(self, handler: Callable[[int, FrameType | None], Any]) -> None:
        def on_sigint(signum: int, frame: FrameType | None) -> Any:
            if self._main_depth:
                self._sigint = True  # the deadline callback stops the call; leave() calls the handler
                return None
            return handler(signum, frame)

        signal.signal(signal.SIGINT, on_sigint)
        self._wrapper, self._wrapped = on_sigint, handler


INTERRUPTS = Interrupts()
"""The one instance the loader uses (one engine per process)."""
