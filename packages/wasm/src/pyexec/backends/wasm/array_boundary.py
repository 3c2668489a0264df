"""NumPy arrays and strings across the wasm boundary, for the Python loader (:mod:`pyexec.backends.wasm.loader`).

**Strings.** A ``str`` argument is encoded (UTF-8, once) and copied into a block of the string layout
(``pyexec_alloc``; tag 0x02, FLAG_ASCII when it is ASCII), released when the call ends; a ``str`` result is
the address of a block the call gave the host: decoded once, then released.

**In.** An array argument is checked (an ``numpy.ndarray`` of the parameter's dtype and number of
dimensions, any strides) and copied, C-contiguous, into one block the module allocates for it
(``pyexec_alloc``): the descriptor (``{i32 owner = 0, i32 data, i64 shape[n], i64 strides[n]}``) at the
block's start, the elements 16 bytes aligned after it. The function receives the descriptor's address.
The block belongs to the host for the call and is released (``pyexec_decref``) when the call ends, however
it ends.

**Out.** An array result is the address of a descriptor: its elements are copied into a new
``numpy.ndarray`` (C order), then the block that held them (``owner``) is released, so no block outlives
the call; a result that is a view of an argument (owner 0) is copied before the argument's block goes.

**After a trap** the blocks compiled code allocated during the call are still on the module's per-call
list: the loader frees them (``pyexec_free_call_blocks``), so a trapping call leaks nothing.

All of it runs under the module's lock (one call at a time per instance), after the memory has grown
if it did: every access re-reads the memory's base and length.

Example:
    >>> descriptor_size(2)
    40
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import numpy as np

from pyexec.backends.wasm.signature import array_info, array_written

_DTYPES = {"bool_": np.bool_, "bool": np.bool_, "int": np.int64}
STRING_MAX_BYTES = 2**31 - 2
"""The most UTF-8 bytes a string holds (its length is an int32)."""


def string_argument(function: str, name: str) -> Any:
    """The converter of a ``str`` argument: its UTF-8 bytes (a lone surrogate is CPython's UnicodeEncodeError);
    anything but a ``str`` is a TypeError naming the parameter (outside the lock: no memory access)."""

    def to_utf8(value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{function}() argument '{name}' must be str, not {type(value).__name__}")
        return value.encode("utf-8")

    return to_utf8


def descriptor_size(ndim: int) -> int:
    """Bytes of a wasm32 array descriptor: two i32 pointers, then shape and strides as i64."""
    return 8 + 16 * ndim


def numpy_dtype(type_name: str) -> np.dtype[Any]:
    """The NumPy dtype of a pyexec element type name."""
    return np.dtype(_DTYPES.get(type_name, type_name))


class ArrayArgument:
    """Checks and converts one array argument (outside the lock: no memory access)."""

    def __init__(self, function: str, name: str, type_name: str) -> None:
        info = array_info(type_name)
        assert info is not None
        self.dtype = numpy_dtype(info[0])
        self.ndim = info[1]
        self.shown = f"{info[0]}[{', '.join([':'] * self.ndim)}]"
        self.function, self.name = function, name
        self.written = array_written(type_name)

    def __call__(self, value: Any) -> np.ndarray:
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{self.function}() argument '{self.name}' must be an array of type {self.shown} "
                            f"(a numpy.ndarray), not {type(value).__name__}")
        if value.ndim != self.ndim:
            raise TypeError(f"{self.function}() argument '{self.name}' must be an array of type {self.shown}, "
                            f"not an array of {value.ndim} dimension(s)")
        if value.dtype != self.dtype:
            raise TypeError(f"{self.function}() argument '{self.name}' must be an array of type {self.shown}, "
                            f"not an array of {value.dtype}: convert it with .astype(numpy.{self.dtype})")
        if self.written and not value.flags.writeable:
            raise ValueError(f"assignment destination is read-only ({self.function}() assigns to elements of its "
                             f"argument '{self.name}')")
        return value


class ArrayCall:
    """What one call of a function with array parameters or an array result does around the raw call."""

    def __init__(self, module: Any, params: list[str], result: str) -> None:
        exports = module._exports
        self.module = module
        self.store = module._store
        self.memory = module._memory
        self.alloc = exports["pyexec_alloc"]
        self.decref = exports["pyexec_decref"]
        self.free_call_blocks = exports["pyexec_free_call_blocks"]
        self.array_params = [array_info(t) is not None for t in params]
        self.string_params = [t == "str" for t in params]
        self.written = [array_written(t) for t in params]
        info = array_info(result)
        self.result = (numpy_dtype(info[0]), info[1]) if info is not None else None

    def _inside(self, array: np.ndarray) -> bool:
        base, length = self._base()
        return 0 <= array.__array_interface__["data"][0] - base < length

    def _base(self) -> tuple[int, int]:
        base = ctypes.cast(self.memory.data_ptr(self.store), ctypes.c_void_p).value or 0
        return base, self.memory.data_len(self.store)

    def enter(self, values: list[Any]) -> tuple[list[Any], list[tuple[int, np.ndarray | None]]]:
        """Copy the array arguments into the module; the values to pass and the blocks to release (each with
        the caller's array when the function may write to it: copied back when the call ends)."""
        blocks: list[tuple[int, np.ndarray | None]] = []
        out = list(values)
        try:
            for k, is_array in enumerate(self.array_params):
                if is_array:
                    address = self._copy_in(out[k])
                    blocks.append((address, out[k] if self.written[k] else None))
                    out[k] = address
                elif self.string_params[k]:
                    address = self.string_in(out[k])
                    blocks.append((address, None))
                    out[k] = address
        except BaseException:
            self.leave(blocks)
            raise
        return out, blocks

    def _copy_in(self, array: np.ndarray) -> int:
        base, length = self._base()
        at = array.__array_interface__["data"][0] - base
        if array.size and 0 <= at < length:
            return self._describe(array, at)  # memory of this module (WasmModule.wasm_array): no copy
        head = (descriptor_size(array.ndim) + 15) // 16 * 16
        nbytes = head + array.nbytes
        if nbytes >= 1 << 31:
            raise MemoryError(f"an array of {array.nbytes} bytes does not fit in a wasm32 module's memory")
        address = self.alloc(self.store, nbytes) & 0xFFFFFFFF
        if address == 0:
            raise MemoryError(f"the wasm module cannot grow its memory to hold an array of {array.nbytes} bytes")
        base, length = self._base()
        data = address + head
        itemsize = array.dtype.itemsize
        strides, stride = [], itemsize
        for extent in reversed(array.shape):
            strides.append(stride)
            stride *= extent
        fields = struct.pack(f"<II{array.ndim}q{array.ndim}q", 0, data, *array.shape, *reversed(strides))
        ctypes.memmove(base + address, fields, len(fields))
        if array.nbytes:
            target = np.ndarray(array.shape, array.dtype, buffer=(ctypes.c_uint8 * length).from_address(base),
                                offset=data)
            np.copyto(target, array, casting="no")
        return address

    def string_in(self, data: bytes) -> int:
        """A block of the string layout holding ``data`` (UTF-8): its address, which the function receives."""
        if len(data) > STRING_MAX_BYTES:
            raise MemoryError(f"a string of {len(data)} bytes does not fit in a wasm32 module's string")
        address = self.alloc(self.store, len(data) + 5) & 0xFFFFFFFF
        if address == 0:
            raise MemoryError(f"the wasm module cannot grow its memory to hold a string of {len(data)} bytes")
        base, _ = self._base()
        flags = ctypes.c_uint8.from_address(base + address - 3)
        flags.value |= 2 if data.isascii() else 0  # FLAG_ASCII
        ctypes.c_uint8.from_address(base + address - 4).value = 2  # the string tag
        ctypes.memmove(base + address, struct.pack("<i", len(data)) + data + b"\0", len(data) + 5)
        return address

    def read_string(self, raw: int) -> str:
        """A returned string, decoded (UTF-8) out of the module; its block released."""
        base, length = self._base()
        address = raw & 0xFFFFFFFF
        try:
            if address + 4 > length:
                raise RuntimeError(f"the module returned a string at {address}, outside its memory")
            (n,) = struct.unpack("<i", ctypes.string_at(base + address, 4))
            if n < 0 or address + 4 + n > length:
                raise RuntimeError(f"the module returned a string of {n} bytes at {address}, outside its memory")
            return ctypes.string_at(base + address + 4, n).decode("utf-8")
        finally:
            if address:
                self.decref(self.store, address)

    def _describe(self, array: np.ndarray, at: int) -> int:
        """A descriptor-only block for an array already in linear memory at offset ``at`` (its strides as
        they are). Checked to lie wholly inside the memory; owner 0: the caller's array keeps it alive."""
        base, length = self._base()
        low = at + sum((n - 1) * s for n, s in zip(array.shape, array.strides) if s < 0)
        high = at + sum((n - 1) * s for n, s in zip(array.shape, array.strides) if s > 0) + array.itemsize
        if low < 0 or high > length:
            raise ValueError("the array reaches outside the wasm module's memory")
        address = self.alloc(self.store, descriptor_size(array.ndim)) & 0xFFFFFFFF
        if address == 0:
            raise MemoryError("the wasm module cannot grow its memory for an array descriptor")
        base, _ = self._base()
        fields = struct.pack(f"<II{array.ndim}q{array.ndim}q", 0, at, *array.shape, *array.strides)
        ctypes.memmove(base + address, fields, len(fields))
        return address

    def read_result(self, raw: int) -> np.ndarray:
        """The returned array, copied out of the module; its block released."""
        assert self.result is not None
        dtype, ndim = self.result
        base, length = self._base()
        address = raw & 0xFFFFFFFF
        size = descriptor_size(ndim)
        if address + size > length:
            raise RuntimeError(f"the module returned an array descriptor at {address}, outside its memory")
        fields = struct.unpack_from(f"<II{ndim}q{ndim}q", (ctypes.c_char * size).from_address(base + address))
        owner, data, shape, strides = fields[0], fields[1], fields[2:2 + ndim], fields[2 + ndim:]
        try:
            if 0 in shape:
                return np.zeros(shape, dtype)
            view = np.ndarray(shape, dtype, buffer=(ctypes.c_uint8 * length).from_address(base), offset=data,
                              strides=strides)
            return view.copy(order="C")
        finally:
            if owner:
                self.decref(self.store, owner)

    def read_result_in_place(self, raw: int) -> np.ndarray:
        """The returned array as a view of its block in linear memory (the view owns the block's reference);
        a copy when the result has no block of its own (a view of an argument) or no elements."""
        assert self.result is not None
        dtype, ndim = self.result
        base, length = self._base()
        address = raw & 0xFFFFFFFF
        size = descriptor_size(ndim)
        if address + size > length:
            raise RuntimeError(f"the module returned an array descriptor at {address}, outside its memory")
        fields = struct.unpack_from(f"<II{ndim}q{ndim}q", (ctypes.c_char * size).from_address(base + address))
        owner, data, shape, strides = fields[0], fields[1], fields[2:2 + ndim], fields[2 + ndim:]
        if not owner or 0 in shape:
            return self.read_result(raw)
        interface = {"version": 3, "typestr": dtype.str, "shape": tuple(shape), "strides": tuple(strides),
                     "data": (base + data, False)}
        return np.asarray(WasmArrayBlock(self.module, owner, interface))

    def leave(self, blocks: list[tuple[int, np.ndarray | None]], trapped: bool = False, failed: bool = False) -> None:
        """Copy written arguments back (what the function stored before it returned, raised or trapped, as
        in CPython), release the argument blocks; after a trap, also every block the call allocated. After a
        call that failed, an argument's block is freed whatever its count says: the frames that took references
        to it (a string parameter's slot) ended without releasing them, and nothing else can hold it."""
        if trapped:
            self.free_call_blocks(self.store)
        for address, original in blocks:
            if original is not None and original.size and not self._inside(original):
                base, length = self._base()
                head = (descriptor_size(original.ndim) + 15) // 16 * 16
                source = np.ndarray(original.shape, original.dtype,
                                    buffer=(ctypes.c_uint8 * length).from_address(base), offset=address + head)
                np.copyto(original, source, casting="no")
            if failed:
                base, _ = self._base()
                ctypes.c_int32.from_address(base + address - 8).value = 1  # the host's reference only
            self.decref(self.store, address)




class WasmArrayBlock:
    """The base of an ndarray whose elements live in a block of a module's heap (``WasmModule.wasm_array``).

    When NumPy drops it, the block is released at the module's next call or ``wasm_array`` (under the
    module's lock: a collection may run while another thread is inside a call)."""

    __slots__ = ("__array_interface__", "address", "module")

    def __init__(self, module: Any, address: int, interface: dict[str, Any]) -> None:
        self.module = module
        self.address = address
        self.__array_interface__ = interface

    def __del__(self) -> None:
        address, self.address = self.address, 0
        if address:
            self.module._released.append(address)


__all__ = ["ArrayArgument", "ArrayCall", "WasmArrayBlock", "descriptor_size", "numpy_dtype"]
