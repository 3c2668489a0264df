"""The JavaScript glue: an ES module that loads a pyexec ``.wasm`` in browsers and in Node.

``load<Stem>(source?)`` fetches the module next to the glue (browsers: ``fetch`` with
``WebAssembly.instantiateStreaming``, falling back to ``instantiate`` when the server sends the
wrong MIME type; Node: reads the file), provides the imports (``print`` → ``console.log`` with
CPython's formatting, libm → ``Math``), and returns wrapped exports: ``int``/``int64`` parameters
accept a Number or a BigInt and are range-checked, results beyond 2^53 come back as exact BigInts
(smaller ones as Numbers), and a fault becomes a JS ``Error`` named after the Python exception.

User names never collide with the glue's own: the object ``load<Stem>()`` resolves to has no prototype,
holds every function in ``functions`` and, beside ``memory``/``instance``/``functions``, each function
whose name is not one of :data:`RESERVED_NAMES` (``then`` would make it a thenable that ``await``
unwraps). Names from the file system reach the output only escaped for their context: JS string
literals (:func:`js_string`), URLs (:func:`relative_url`), HTML (``html.escape``).

Example:
    >>> "export async function loadSquare" in glue_js("square.wasm", [])
    True
"""

from __future__ import annotations

import json
import re
import urllib.parse

from pyexec.backends.llvm.runtime import ERROR_KINDS
from pyexec.backends.wasm.signature import (
    ExportSignature,
    array_info,
    array_written,
    scalar_info,
    tuple_items,
    tuple_layout,
)

RESERVED_NAMES = frozenset({"memory", "instance", "functions", "then", "wasmArray"})
"""Names on the loaded object that are the glue's own (or that ``await`` reads): a function with one of
these names is only in ``functions``."""


def js_string(text: str) -> str:
    r"""A JavaScript string literal of ``text``, safe in a ``.js`` file and inside an HTML ``<script>``.

    Non-ASCII (including U+2028/U+2029, which end lines in older JS), quotes, newlines and ``<``, ``>``,
    ``&`` are escaped, so the literal can't end a ``<script>`` or a line.

    Example:
        >>> print(js_string("a</script>\u2028b"))
        "a\u003c/script\u003e\u2028b"
    """
    return js_value(text)


def js_value(value: object) -> str:
    """``value`` (JSON data) as a JavaScript expression, escaped as :func:`js_string` escapes strings."""
    literal = json.dumps(value, ensure_ascii=True)
    return literal.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def relative_url(file_name: str) -> str:
    """The URL of a file next to the referring one: ``./`` and the percent-encoded name (``#``, ``?``, ``%`` …).

    Example:
        >>> relative_url("a#b.wasm"), relative_url("x y.js")
        ('./a%23b.wasm', './x%20y.js')
    """
    return "./" + urllib.parse.quote(file_name, safe="")


def comment_text(text: str) -> str:
    r"""``text`` for a ``//`` comment: what would end the line or the comment shown escaped.

    Example:
        >>> comment_text("a\nb")
        'a\\nb'
    """
    return json.dumps(text, ensure_ascii=True)[1:-1]


def loader_name(stem: str) -> str:
    """``load`` + the file stem in PascalCase: ``fib`` → ``loadFib``, ``game_logic`` → ``loadGameLogic``.

    Example:
        >>> loader_name("fib"), loader_name("my-math.v2")
        ('loadFib', 'loadMyMathV2')
    """
    words = [w for w in re.split(r"[^0-9A-Za-z]+", stem) if w]
    name = "load" + "".join(w[:1].upper() + w[1:] for w in words)
    return name if name != "load" else "loadModule"


def js_type(type_name: str) -> dict[str, object]:
    """How the glue converts one pyexec type: its kind, bit width and signedness."""
    if type_name == "None":
        return {"kind": "none"}
    if type_name == "str":
        return {"kind": "str", "type": "str"}  # a string block's address (TextEncoder in, TextDecoder out)
    if tuple_items(type_name) is not None:
        # items and their offsets in the function's result area (a tuple result is its address)
        return {"kind": "tuple", "type": type_name, "items": [{**js_type(t), "offset": offset}
                                                              for t, offset in tuple_layout(type_name)]}
    array = array_info(type_name)
    if array is not None:
        # a descriptor's address; the elements cross as a TypedArray (BigInt64Array for 64-bit integers)
        return {"kind": "array", "type": f"{array[0]}[{', '.join([':'] * array[1])}]", "dtype": js_type(array[0]),
                "ndim": array[1], "written": array_written(type_name)}
    info = scalar_info(type_name)
    return {"kind": info.kind, "bits": info.bits, "type": type_name}


def signature_table(signatures: list[ExportSignature]) -> str:
    """The exports' signatures as a JS array of ``[name, signature]`` pairs.

    An array, not an object literal: in a literal, ``"__proto__": …`` sets the prototype instead of
    adding a property.
    """
    table = [
        [s.name, {"params": [[p.name, js_type(p.type)] for p in s.params], "result": js_type(s.result),
                  "fallible": s.fallible}]
        for s in signatures
    ]
    return json.dumps(table, indent=2, ensure_ascii=True)


_RUNTIME = r"""
const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n, U64_MAX = 2n ** 64n - 1n;

/** An error raised by compiled Python code; `pythonType` names the Python exception. */
export class PyexecError extends Error {
  constructor(pythonType, message) {
    super(`${pythonType}: ${message}`);
    this.name = pythonType;
    this.pythonType = pythonType;
  }
}

function isNode() {
  return typeof process !== "undefined" && process.versions != null && process.versions.node != null;
}

async function wasmBytesOrResponse(source) {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  if (typeof Response !== "undefined" && source instanceof Response) return source;
  const url = source === undefined ? DEFAULT_URL
    : source instanceof URL ? source : new URL(String(source), import.meta.url);
  if (url.protocol === "file:" && isNode()) {
    const { readFile } = await import("node:fs/promises");
    const { fileURLToPath } = await import("node:url");
    return readFile(fileURLToPath(url));
  }
  return fetch(url);
}

async function instantiate(source, imports) {
  const input = await wasmBytesOrResponse(source);
  if (typeof Response !== "undefined" && input instanceof Response) {
    if (!input.ok) throw new Error(`cannot load ${input.url}: HTTP ${input.status}`);
    if (WebAssembly.instantiateStreaming) {
      try {
        return await WebAssembly.instantiateStreaming(input.clone(), imports);
      } catch (err) {
        // Servers that send another MIME type than application/wasm: compile from the bytes instead.
      }
    }
    return WebAssembly.instantiate(await input.arrayBuffer(), imports);
  }
  return WebAssembly.instantiate(input, imports);
}

// --- CPython's str() of floats -------------------------------------------------------------------

function formatDigits(x, addDotZero, scientific = (e) => e < -4 || e >= 16) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return (Object.is(x, -0) ? "-0" : "0") + (addDotZero ? ".0" : "");
  let [mantissa, exp] = x.toExponential().split("e");
  const sign = mantissa.startsWith("-") ? "-" : "";
  if (sign) mantissa = mantissa.slice(1);
  const digits = mantissa.replace(".", "");
  const e = parseInt(exp, 10);
  if (scientific(e)) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(e);
    return `${sign}${m}e${e < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const intPart = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const frac = digits.slice(e + 1);
  return sign + intPart + (frac ? `.${frac}` : addDotZero ? ".0" : "");
}

// x to p significant digits with ties to even, as NumPy's and Python's formatting round (toPrecision
// rounds an exact tie up: 430737.625 to 8 digits is 430737.63 there, 430737.62 in NumPy).
function toPrecisionEven(x, p) {
  const up = Number(x.toPrecision(p));
  const [mantissa, exp] = Math.abs(x).toExponential(99).split("e");
  const digits = mantissa.replace(".", "");
  if (digits[p] !== "5" || !/^0*$/.test(digits.slice(p + 1)) || Number(digits[p - 1]) % 2 === 1) return up;
  const kept = digits.slice(0, p);
  return Number(`${x < 0 ? "-" : ""}${kept[0]}.${kept.slice(1)}e${exp}`);
}

function shortestFloat32(x) {
  if (!Number.isFinite(x) || x === 0) return x;
  for (let p = 1; p <= 9; p++) {
    const candidate = toPrecisionEven(x, p);
    if (Math.fround(candidate) === x) return candidate;
  }
  return x;
}

export function formatFloat(x) { return formatDigits(x, true); }
// NumPy prints a float32 positionally when 1e-4 <= |x| < 1e6 (and 0), else in scientific notation.
function float32Digits(x, addDotZero) {
  const a = Math.abs(x);
  return formatDigits(shortestFloat32(x), addDotZero, () => a !== 0 && (a < 1e-4 || a >= 1e6));
}
export function formatFloat32(x) { return float32Digits(x, true); }

function formatComplex(re, im, part) {
  const imag = Number.isNaN(im) ? "nan" : part(Math.abs(im));
  if (re === 0 && !Object.is(re, -0)) return `${Number.isNaN(im) ? "nan" : part(im)}j`;
  const sign = im < 0 || Object.is(im, -0) ? "-" : "+";
  return `(${part(re)}${sign}${imag}j)`;
}
/** `str(complex(re, im))` as CPython prints it (a complex128 element is a pair of doubles). */
export function formatComplex128(re, im) { return formatComplex(re, im, (x) => formatDigits(x, false)); }
/** `str(numpy.complex64(complex(re, im)))`: each part printed as a float32. */
export function formatComplex64(re, im) { return formatComplex(re, im, (x) => float32Digits(x, false)); }

// --- pyexec_float_digits: the digits compiled formatting lays out (exact, ties to even) ------------

function exactDecimal(x) {  // a finite x >= 0 as [D, k]: x === D * 10**k exactly (D a BigInt)
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let e;
  if (biased === 0) { e = -1074; } else { m |= 1n << 52n; e = biased - 1075; }
  return e >= 0 ? [m << BigInt(e), 0] : [m * 5n ** BigInt(-e), e];
}

function divideEven(num, den) {  // num / den rounded half to even
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return q;
}

function significantDigits(x, n) {  // n significant digits: [digits, decpt], x ≈ 0.digits * 10**decpt
  if (x === 0) return ["0", 1];
  const [D, k] = exactDecimal(x);
  const s = D.toString();
  if (s.length <= n) return [s, s.length + k];
  let q = divideEven(D, 10n ** BigInt(s.length - n)).toString();
  let decpt = s.length + k;
  if (q.length > n) { q = q.slice(0, n); decpt += 1; }
  return [q, decpt];
}

function fixedDigits(x, n) {  // n digits after the point (toFixed rounds an exact tie up: 0.125 -> 0.13)
  if (x === 0) return ["0", 1];
  const scaled = x * 2 ** (n + 1);  // exact (a power of two), or Infinity
  const tie = Number.isInteger(scaled) && !Number.isInteger(scaled / 2);
  if (x < 1e21 && n <= 100 && !tie) {
    // x * 10**n is halfway between two integers only when x's last binary digit is worth 2**-(n + 1);
    // otherwise toFixed, which rounds the exact value to the nearest, gives the digits.
    const text = x.toFixed(n).replace(".", "").replace(/^0+/, "");
    return text ? [text, text.length - n] : ["0", 1];
  }
  const [D, k] = exactDecimal(x);
  const q = k + n >= 0 ? D * 10n ** BigInt(k + n) : divideEven(D, 10n ** BigInt(-(k + n)));
  if (q === 0n) return ["0", 1];
  const s = q.toString();
  return [s, s.length - n];
}

function shortestDigits(x, single) {  // the shortest digits that read back as x (as a float32: single)
  if (x === 0) return ["0", 1];
  if (!single) {  // toExponential() gives the shortest round trip, the closest when two are as short
    const [mantissa, exp] = x.toExponential().split("e");
    return [mantissa.replace(".", ""), parseInt(exp, 10) + 1];
  }
  const back = (d, point) => Math.fround(Number(`0.${d}e${point}`));
  for (let p = 1; p <= 9; p++) {
    const [d, decpt] = significantDigits(x, p);
    if (back(d, decpt) === x) return [d, decpt];
    if (Number(`0.${d}e${decpt}`) < x) {  // the next decimal up: a power of two's interval is wider above
      let up = (BigInt(d) + 1n).toString();
      let point = decpt;
      if (up.length > d.length) { up = up.slice(0, d.length); point += 1; }
      if (back(up, point) === x) return [up, point];
    }
  }
  return significantDigits(x, 9);
}

export function floatDigits(x, mode, n, single) {
  if (mode === 0) return shortestDigits(x, single !== 0);
  return mode === 2 ? significantDigits(x, n) : fixedDigits(x, n);
}

// --- round(x, n): correctly rounded, ties to even, like CPython ----------------------------------

export function roundNdigits(x, n) {
  n = Number(n);
  if (!Number.isFinite(x) || x === 0) return x;
  if (n > 400) return x;
  if (n < -400) return 0 * x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent;
  if (biased === 0) { exponent = -1074; } else { mantissa |= 1n << 52n; exponent = biased - 1075; }
  let num = mantissa, den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent); else den <<= BigInt(-exponent);
  if (n >= 0) num *= 10n ** BigInt(n); else den *= 10n ** BigInt(-n);
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  const result = Number(`${q}e${-n}`);
  return x < 0 ? -result : result;
}

// --- argument and result conversion --------------------------------------------------------------

function toWasm(fn, name, t, value) {
  if (t.kind === "float") {
    if (typeof value === "bigint") return Number(value);
    if (typeof value !== "number") throw new TypeError(`${fn}(): argument ${name} must be a number`);
    return value;
  }
  if (t.kind === "bool") return value ? 1 : 0;
  let v;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isInteger(value)) v = BigInt(value);
  else if (typeof value === "boolean") v = value ? 1n : 0n;
  else throw new TypeError(`${fn}(): argument ${name} must be an integer (${t.type}), not ${value}`);
  const bits = BigInt(t.bits);
  const lo = t.kind === "int" ? -(1n << (bits - 1n)) : 0n;
  const hi = t.kind === "int" ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (v < lo || v > hi) {
    const message = `${fn}() argument ${name}=${v} is out of range for ${t.type} (${lo}..${hi})`;
    throw new PyexecError("OverflowError", message);
  }
  if (t.bits === 64) return BigInt.asIntN(64, v);
  return Number(BigInt.asIntN(32, v));
}

function tupleToWasm(fn, name, t, value) {
  const shown = `tuple[${t.items.map((i) => i.type).join(", ")}]`;
  if (!Array.isArray(value)) throw new TypeError(`${fn}(): argument ${name} must be ${shown} (an array)`);
  if (value.length !== t.items.length) {
    const want = `an array of ${t.items.length} items`;
    throw new TypeError(`${fn}(): argument ${name} must be ${shown}, ${want}, not ${value.length}`);
  }
  return t.items.map((item, i) => toWasm(fn, `${name}[${i}]`, item, value[i]));
}

function readTuple(memory, t, address) {
  // the function's result area (module memory, rewritten by its next call): copy the items out now
  const view = new DataView(memory.buffer);
  return t.items.map((item) => {
    const at = address + item.offset;
    let raw;
    if (item.kind === "float") raw = item.bits === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    else if (item.kind === "bool" || item.bits === 8) raw = item.kind === "int" ? view.getInt8(at) : view.getUint8(at);
    else if (item.bits === 16) raw = item.kind === "int" ? view.getInt16(at, true) : view.getUint16(at, true);
    else if (item.bits === 32) raw = item.kind === "int" ? view.getInt32(at, true) : view.getUint32(at, true);
    else raw = view.getBigInt64(at, true);
    return fromWasm(item, raw);
  });
}

function fromWasm(t, raw) {
  switch (t.kind) {
    case "none": return undefined;
    case "float": return raw;
    case "bool": return (raw & 0xff) !== 0;
  }
  let v = typeof raw === "bigint" ? raw : BigInt(raw);
  v = t.kind === "int" ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

// --- arrays: copied into the module's heap (its own allocator), copied out as TypedArrays ------------

const TYPED = {
  float64: Float64Array, float32: Float32Array, int64: BigInt64Array, uint64: BigUint64Array,
  int32: Int32Array, uint32: Uint32Array, int16: Int16Array, uint16: Uint16Array, int8: Int8Array,
  uint8: Uint8Array, bool_: Uint8Array, bool: Uint8Array, complex128: Float64Array, complex64: Float32Array,
};
// A complex element is two numbers of its TypedArray, (re, im) interleaved as NumPy lays them out: a complex
// TypedArray has 2 numbers per element, and a result's shape ends with that 2.
const PARTS = { complex128: 2, complex64: 2 };
const parts = (dtype) => PARTS[dtype] || 1;
const sameDtype = (a, b) => (a === "bool" ? "bool_" : a) === (b === "bool" ? "bool_" : b);

function complexItems(fn, name, t, items) {
  // plain arrays of complex elements: each a number (imaginary part 0) or an [re, im] pair
  const out = new (TYPED[t.dtype.type])(2 * items.length);
  const part = { kind: "float", bits: t.dtype.bits / 2, type: `float${t.dtype.bits / 2}` };
  items.forEach((x, i) => {
    if (Array.isArray(x) && x.length === 2) {
      out[2 * i] = toWasm(fn, `${name}[${i}][0]`, part, x[0]);
      out[2 * i + 1] = toWasm(fn, `${name}[${i}][1]`, part, x[1]);
    } else if (Array.isArray(x)) {
      throw new TypeError(`${fn}(): argument ${name}[${i}] must be a number or an [re, im] pair`);
    } else {
      out[2 * i] = toWasm(fn, `${name}[${i}]`, part, x);
    }
  });
  return out;
}

function arrayShape(fn, name, t, value) {
  // a TypedArray or an array of numbers (1-D); nested arrays, or { data, shape } (n-D). Complex: a TypedArray
  // holds (re, im) interleaved and its shape may end with that 2; the items of plain arrays are numbers or
  // [re, im] pairs.
  const complex = t.dtype.kind === "complex";
  const items = complex ? "numbers or [re, im] pairs" : "numbers";
  const shown = `${t.type} (a ${TYPED[t.dtype.type].name}, an array of ${items} or { data, shape })`;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !ArrayBuffer.isView(value)
      && "data" in value && "shape" in value) {
    let shape = Array.from(value.shape, Number);
    if (complex && shape.length === t.ndim + 1 && shape[t.ndim] === 2) shape = shape.slice(0, t.ndim);
    if (shape.length !== t.ndim) {
      throw new TypeError(`${fn}(): argument ${name} must be ${shown}: its shape has ${shape.length} dimension(s)`);
    }
    return [value.data, shape];
  }
  if (ArrayBuffer.isView(value)) {
    if (t.ndim !== 1) {
      throw new TypeError(`${fn}(): argument ${name} must be ${shown}: pass { data, shape } for ${t.ndim} dimensions`);
    }
    if (complex && value.length % 2 !== 0) {
      throw new TypeError(`${fn}(): argument ${name} must be ${shown}: (re, im) interleaved, an even length`);
    }
    return [value, [complex ? value.length / 2 : value.length]];
  }
  if (!Array.isArray(value)) throw new TypeError(`${fn}(): argument ${name} must be ${shown}, not ${typeof value}`);
  const shape = [];
  let level = value;
  for (let d = 0; d < t.ndim; d++) {
    if (!Array.isArray(level)) {
      throw new TypeError(`${fn}(): argument ${name} must be ${shown}: not ${t.ndim} nested levels`);
    }
    shape.push(level.length);
    level = level[0];
  }
  const flat = t.ndim === 1 ? value : value.flat(t.ndim - 1);
  const scalar = (x) => !Array.isArray(x) || complex && x.length === 2 && !x.some((y) => Array.isArray(y));
  if (flat.length !== shape.reduce((a, b) => a * b, 1) || !flat.every(scalar)) {
    throw new TypeError(`${fn}(): argument ${name} must be ${shown}: the nested arrays are not rectangular`);
  }
  return [flat, shape];
}

/** An array whose elements live in the module's linear memory (`wasmArray`): passed without a copy. */
export class WasmArray {
  constructor(raw, memory, dtype, Typed, block, head, shape, owner = 0) {
    // block: the descriptor (and, for wasmArray, the elements at block + head); owner: the elements' own
    // block when they live elsewhere (a result kept in memory by inMemory), released with the array
    Object.assign(this, { raw, memory, dtype, Typed, block, head, shape, owner });
    this.length = shape.reduce((a, b) => a * b, 1);
  }
  /** The elements, C order: a new view on each access (memory growth detaches the old ones); complex
   * elements as (re, im) interleaved, 2 numbers each. */
  get data() {
    if (this.block === 0) throw new TypeError("this WasmArray was released");
    return new this.Typed(this.memory.buffer, this.block + this.head, this.length * parts(this.dtype));
  }
  /** Give the block back to the module's heap; the array is unusable afterwards. */
  release() {
    if (this.block !== 0) { this.raw.pyexec_decref(this.block); this.block = 0; }
    if (this.owner !== 0) { this.raw.pyexec_decref(this.owner); this.owner = 0; }
  }
}

function newWasmArray(raw, memory, dtype, shape) {
  const Typed = TYPED[dtype];
  if (Typed === undefined) throw new TypeError(`wasmArray(): unknown dtype ${dtype}`);
  if (!raw.pyexec_alloc) throw new TypeError("wasmArray(): this module has no array runtime");
  const dims = typeof shape === "number" ? [shape] : Array.from(shape, Number);
  if (dims.length === 0 || dims.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new TypeError("wasmArray(): the shape must be non-negative integers");
  }
  const n = dims.reduce((a, b) => a * b, 1);
  const itemsize = Typed.BYTES_PER_ELEMENT * parts(dtype);
  const head = (8 + 16 * dims.length + 15) & ~15;
  const block = raw.pyexec_alloc(head + n * itemsize) >>> 0;
  if (block === 0) throw new PyexecError("MemoryError", "wasmArray(): the module cannot grow its memory");
  const view = new DataView(memory.buffer);
  view.setUint32(block, 0, true);
  view.setUint32(block + 4, block + head, true);
  let stride = itemsize;
  for (let k = dims.length - 1; k >= 0; k--) {
    view.setBigInt64(block + 8 + 8 * k, BigInt(dims[k]), true);
    view.setBigInt64(block + 8 + 8 * dims.length + 8 * k, BigInt(stride), true);
    stride *= dims[k];
  }
  new Uint8Array(memory.buffer, block + head, n * itemsize).fill(0);
  return new WasmArray(raw, memory, dtype, Typed, block, head, dims);
}

function arrayToWasm(raw, memory, fn, name, t, value) {
  if (value instanceof WasmArray) {
    // already in linear memory, with its descriptor at the block's start: passed in place
    const same = sameDtype(value.dtype, t.dtype.type) && value.shape.length === t.ndim && value.raw === raw;
    if (!same || value.block === 0) {
      const why = value.block === 0 ? "was released" : `is not a ${t.type} of this module`;
      throw new TypeError(`${fn}(): argument ${name}: the WasmArray ${why}`);
    }
    return { block: value.block, borrowed: true, data: null };
  }
  const [data, shape] = arrayShape(fn, name, t, value);
  const Typed = TYPED[t.dtype.type];
  const k = parts(t.dtype.type);  // numbers per element: 2 for complex, (re, im)
  const n = shape.reduce((a, b) => a * b, 1);
  const count = ArrayBuffer.isView(data) ? data.length / k : data.length;
  if (count !== n) {
    throw new TypeError(`${fn}(): argument ${name} has ${count} elements, its shape says ${n}`);
  }
  if (ArrayBuffer.isView(data) && !(data instanceof Typed)) {
    const got = data.constructor.name;
    throw new TypeError(`${fn}(): argument ${name} must be a ${Typed.name} for ${t.type}, not a ${got}`);
  }
  const elements = ArrayBuffer.isView(data) ? data : k === 2 ? complexItems(fn, name, t, Array.from(data))
    : Array.from(data, (x, i) => {
      const v = toWasm(fn, `${name}[${i}]`, t.dtype, x);
      return t.dtype.bits === 64 && t.dtype.kind === "uint" ? BigInt.asUintN(64, v) : v;
    });
  const head = (8 + 16 * t.ndim + 15) & ~15;
  const block = raw.pyexec_alloc(head + n * Typed.BYTES_PER_ELEMENT * k) >>> 0;
  if (block === 0) {
    throw new PyexecError("MemoryError", `${fn}(): the module cannot grow its memory for argument ${name}`);
  }
  const view = new DataView(memory.buffer);  // after the allocation, which may have grown the memory
  view.setUint32(block, 0, true);
  view.setUint32(block + 4, block + head, true);
  let stride = Typed.BYTES_PER_ELEMENT * k;
  for (let d = t.ndim - 1; d >= 0; d--) {
    view.setBigInt64(block + 8 + 8 * d, BigInt(shape[d]), true);
    view.setBigInt64(block + 8 + 8 * t.ndim + 8 * d, BigInt(stride), true);
    stride *= shape[d];
  }
  new Typed(memory.buffer, block + head, n * k).set(elements);
  return { block, head, n, k, Typed, data: t.written ? data : null };
}

function arrayBack(memory, arg) {
  // a written argument: what the function stored, back into the caller's TypedArray or array of numbers
  const source = new arg.Typed(memory.buffer, arg.block + arg.head, arg.n * arg.k);
  if (ArrayBuffer.isView(arg.data)) { arg.data.set(source); return; }
  if (Object.isFrozen(arg.data)) return;
  if (arg.k === 2) {  // complex items come back as [re, im] pairs
    for (let i = 0; i < arg.n; i++) arg.data[i] = [source[2 * i], source[2 * i + 1]];
    return;
  }
  for (let i = 0; i < arg.n; i++) {
    const x = source[i];
    const safe = typeof x === "bigint" && x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER);
    arg.data[i] = safe ? Number(x) : x;
  }
}

function readArray(raw, memory, t, address) {
  // the descriptor in the function's result area; the elements copied into a new TypedArray, then the
  // block released (a view of an argument has owner 0: its block is the argument's, released after)
  const view = new DataView(memory.buffer);
  const owner = view.getUint32(address, true), data = view.getUint32(address + 4, true);
  const shape = [], strides = [];
  for (let k = 0; k < t.ndim; k++) {
    shape.push(Number(view.getBigInt64(address + 8 + 8 * k, true)));
    strides.push(Number(view.getBigInt64(address + 8 + 8 * t.ndim + 8 * k, true)));
  }
  const Typed = TYPED[t.dtype.type];
  const per = parts(t.dtype.type);  // 2 numbers per complex element: (re, im)
  const part = Typed.BYTES_PER_ELEMENT, size = part * per;
  const n = shape.reduce((a, b) => a * b, 1);
  let contiguous = true;
  for (let k = t.ndim - 1, s = size; k >= 0; s *= shape[k], k--) {
    if (shape[k] > 1 && strides[k] !== s) contiguous = false;
  }
  // contiguous: one slice (a new buffer filled by the copy, not zeroed first)
  const whole = n > 0 && contiguous && data % part === 0;
  const out = whole ? new Typed(memory.buffer, data, n * per).slice() : new Typed(n * per);
  if (n > 0 && !whole) {
    const all = new Typed(memory.buffer);
    const index = new Array(t.ndim).fill(0);
    for (let i = 0; i < n; i++) {
      let at = data;
      for (let k = 0; k < t.ndim; k++) at += index[k] * strides[k];
      for (let p = 0; p < per; p++) out[i * per + p] = all[at / part + p];
      for (let k = t.ndim - 1; k >= 0 && ++index[k] === shape[k]; k--) index[k] = 0;
    }
  }
  if (owner !== 0) raw.pyexec_decref(owner);
  Object.defineProperty(out, "shape", { value: per === 2 ? [...shape, 2] : shape, enumerable: false });
  return out;
}

function keepArray(raw, memory, t, address) {
  // inMemory: the result left where it is, as a WasmArray over its block (a new descriptor-only block
  // points at the elements); a copy, as a call returns it, when the elements are not a C-ordered block of
  // the result's own (a view of an argument, a strided view, no elements)
  const view = new DataView(memory.buffer);
  const owner = view.getUint32(address, true), data = view.getUint32(address + 4, true);
  const Typed = TYPED[t.dtype.type];
  const shape = [];
  let contiguous = true;
  for (let k = 0; k < t.ndim; k++) shape.push(Number(view.getBigInt64(address + 8 + 8 * k, true)));
  for (let k = t.ndim - 1, s = Typed.BYTES_PER_ELEMENT * parts(t.dtype.type); k >= 0; s *= shape[k], k--) {
    if (shape[k] > 1 && Number(view.getBigInt64(address + 8 + 8 * t.ndim + 8 * k, true)) !== s) contiguous = false;
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (owner === 0 || n === 0 || !contiguous || data % Typed.BYTES_PER_ELEMENT !== 0) {
    return readArray(raw, memory, t, address);
  }
  const size = 8 + 16 * t.ndim;
  const saved = new Uint8Array(memory.buffer, address, size).slice();  // the result area, before allocating
  const block = raw.pyexec_alloc(size) >>> 0;
  if (block === 0) {
    raw.pyexec_decref(owner);
    throw new PyexecError("MemoryError", "inMemory(): the module cannot grow its memory for the descriptor");
  }
  new Uint8Array(memory.buffer, block, size).set(saved);
  new DataView(memory.buffer).setUint32(block, 0, true);  // owner 0: the WasmArray holds the owner
  return new WasmArray(raw, memory, t.dtype.type, Typed, block, data - block, shape, owner);
}

// --- strings: UTF-8 in a block of pyexec.memory's string layout (int32 length, bytes, NUL; tag 0x02) ------

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function strToWasm(raw, memory, fn, name, value) {
  if (typeof value !== "string") {
    throw new TypeError(`${fn}(): argument ${name} must be a string, not ${value === null ? "null" : typeof value}`);
  }
  if (LONE_SURROGATE.test(value)) {
    // Python's UTF-8 encoder refuses a lone surrogate; TextEncoder would quietly write U+FFFD
    throw new PyexecError("UnicodeEncodeError", `${fn}(): argument ${name} holds a lone surrogate (not valid UTF-8)`);
  }
  const bytes = new TextEncoder().encode(value);
  const block = raw.pyexec_alloc(bytes.length + 5) >>> 0;
  if (block === 0) {
    throw new PyexecError("MemoryError", `${fn}(): the module cannot grow its memory for argument ${name}`);
  }
  const view = new DataView(memory.buffer);  // after the allocation, which may have grown the memory
  view.setUint8(block - 4, 2);  // the string tag
  if (bytes.every((c) => c < 0x80)) view.setUint8(block - 3, view.getUint8(block - 3) | 2);  // FLAG_ASCII
  view.setInt32(block, bytes.length, true);
  new Uint8Array(memory.buffer, block + 4, bytes.length + 1).set(bytes);
  view.setUint8(block + 4 + bytes.length, 0);
  return { block, borrowed: false, data: null };
}

function readStr(raw, memory, address) {
  try {
    const n = new DataView(memory.buffer).getInt32(address, true);
    return new TextDecoder().decode(new Uint8Array(memory.buffer, address + 4, n));
  } finally {
    raw.pyexec_decref(address);  // the result's block belongs to the caller: released once decoded
  }
}

function cString(memory, address) {
  const bytes = new Uint8Array(memory.buffer);
  let end = address;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(address, end));
}

function translateTrap(fn, err, shadowStackOverflow) {
  if (err instanceof PyexecError) return err;
  const text = String(err && err.message || err);
  if (err instanceof RangeError && /call stack/i.test(text)) {
    return new PyexecError("RecursionError", `maximum recursion depth exceeded in ${fn}()`);
  }
  if (!(err instanceof WebAssembly.RuntimeError)) return err;  // e.g. an exception from options.print
  // The trap kinds the Python loader maps, in V8's, SpiderMonkey's and JavaScriptCore's words.
  if (/stack overflow|call stack/i.test(text) || shadowStackOverflow) {
    return new PyexecError("RecursionError", `maximum recursion depth exceeded in ${fn}()`);
  }
  if (/(divide|division|remainder|modulo) by zero/i.test(text)) {
    return new PyexecError("ZeroDivisionError", "integer division or modulo by zero");
  }
  if (/integer overflow|unrepresentable|invalid conversion to integer|out of range/i.test(text)) {
    return new PyexecError("OverflowError", `integer overflow in ${fn}()`);
  }
  return new PyexecError("RuntimeError", `${fn}() trapped in WebAssembly: ${text}`);
}

async function loadWith(source, signatures, options) {
  let memory = null;
  let line = "";
  const write = options.print || ((text) => { console.log(text); });
  const out = (text) => {
    line += text;
    let nl;
    while ((nl = line.indexOf("\n")) >= 0) { write(line.slice(0, nl), true); line = line.slice(nl + 1); }
  };
  const env = {
    pyexec_print_i64: (v) => out(String(v)),
    pyexec_print_u64: (v) => out(String(BigInt.asUintN(64, v))),
    pyexec_print_bool: (v) => out(v ? "True" : "False"),
    pyexec_print_f64: (v) => out(formatFloat(v)),
    pyexec_print_f32: (v) => out(formatFloat32(v)),
    pyexec_print_c128: (re, im) => out(formatComplex128(re, im)),
    pyexec_print_c64: (re, im) => out(formatComplex64(re, im)),
    pyexec_print_str: (address) => out(cString(memory, address)),
    pyexec_print_text: (address, n) => out(new TextDecoder().decode(new Uint8Array(memory.buffer, address, Number(n)))),
    pyexec_round_ndigits: roundNdigits,
    pyexec_float_digits: (x, mode, n, single, buf, decptOut) => {
      const [digits, decpt] = floatDigits(x, mode, n, single);
      const bytes = new Uint8Array(memory.buffer, buf >>> 0, digits.length);
      for (let i = 0; i < digits.length; i++) bytes[i] = digits.charCodeAt(i);
      new DataView(memory.buffer).setInt32(decptOut >>> 0, decpt, true);
      return BigInt(digits.length);
    },
    // a failed `assert test, value`: AssertionError(str(value)), thrown from here (the call never returns)
    pyexec_assert_i64: (v) => { throw new PyexecError("AssertionError", String(v)); },
    pyexec_assert_u64: (v) => { throw new PyexecError("AssertionError", String(BigInt.asUintN(64, v))); },
    pyexec_assert_bool: (v) => { throw new PyexecError("AssertionError", v ? "True" : "False"); },
    pyexec_assert_f64: (v) => { throw new PyexecError("AssertionError", formatFloat(v)); },
    pyexec_assert_f32: (v) => { throw new PyexecError("AssertionError", formatFloat32(v)); },
    pyexec_assert_c128: (re, im) => {
      throw new PyexecError("AssertionError", formatComplex128(re, im));
    },
    pyexec_assert_c64: (re, im) => {
      throw new PyexecError("AssertionError", formatComplex64(re, im));
    },
    fmod: (a, b) => a % b,
    pow: (a, b) => (a === 1 || b === 0 ? 1 : a === -1 && !Number.isFinite(b) && !Number.isNaN(b) ? 1 : Math.pow(a, b)),
    exp2: (x) => Math.pow(2, x),
    round: roundAway,
    erf,
    erfc,
    fma: (a, b, c) => a * b + c,
    fmin: (a, b) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b)),
    fmax: (a, b) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b)),
    ldexp,
  };
  for (const name of ["exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos",
                      "atan", "atan2", "sinh", "cosh", "tanh", "hypot", "trunc", "floor", "ceil", "cbrt",
                      "asinh", "acosh", "atanh"]) {
    env[name] = Math[name];
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith("pyexec_")) env[name + "f"] = (...args) => Math.fround(env[name](...args));
  }
  const { instance } = await instantiate(source, { env });
  const raw = instance.exports;
  memory = raw.memory;
  const errorCode = raw["error.code"] ? raw["error.code"].value : 0;
  const errorMessage = raw["error.message"] ? raw["error.message"].value : 0;
  const stackPointer = raw.__stack_pointer;
  const stackTop = stackPointer ? stackPointer.value : 0;
  const flush = () => { if (line !== "") { const rest = line; line = ""; write(rest, false); } };
  // No prototype, and names defined rather than assigned: `__proto__`, `constructor` or `toString` are
  // plain functions here, and nothing a user names can replace `memory`, `instance` or `functions`.
  const functions = Object.create(null);
  const api = Object.create(null);
  for (const [name, sig] of signatures) {
    const f = raw[name];
    if (typeof f !== "function") throw new Error(`the module does not export the function ${name}`);
    const call = (args, keep) => {
      if (args.length !== sig.params.length) {
        throw new TypeError(`${name}() takes ${sig.params.length} argument(s) (${args.length} given)`);
      }
      const arrays = [];
      let result;
      let failed = true;  // a call that raised or trapped: its frames kept references to the arguments
      try {
        const values = sig.params.flatMap(([p, t], i) => {
          if (t.kind === "tuple") return tupleToWasm(name, p, t, args[i]);
          if (t.kind === "str") {
            const arg = strToWasm(raw, memory, name, p, args[i]);
            arrays.push(arg);
            return [arg.block];
          }
          if (t.kind !== "array") return [toWasm(name, p, t, args[i])];
          const arg = arrayToWasm(raw, memory, name, p, t, args[i]);
          arrays.push(arg);
          return [arg.block];
        });
        try {
          result = f(...values);
        } catch (err) {
          // The stack in linear memory grows down from stackTop: past its bottom the pointer wraps above it.
          const shadowStackOverflow = stackPointer ? (stackPointer.value >>> 0) > stackTop : false;
          if (stackPointer) stackPointer.value = stackTop;  // a trap skips the epilogues that restore it
          if (raw.pyexec_free_call_blocks) raw.pyexec_free_call_blocks();  // the blocks the call allocated
          throw translateTrap(name, err, shadowStackOverflow);
        } finally {
          flush();  // print(x, end="") at the end of a call: deliver the partial line now
        }
        if (sig.fallible && errorCode) {
          const view = new DataView(memory.buffer);
          const code = view.getInt32(errorCode, true);
          if (code !== 0) {
            const message = errorMessage ? cString(memory, view.getUint32(errorMessage, true)) : "";
            throw new PyexecError(ERROR_KINDS[code] || "RuntimeError", message);
          }
        }
        failed = false;
        if (sig.result.kind === "array") {
          return (keep ? keepArray : readArray)(raw, memory, sig.result, result >>> 0);
        }
        if (sig.result.kind === "str") return readStr(raw, memory, result >>> 0);
      } finally {
        for (const arg of arrays) {
          if (arg.borrowed) continue;  // a WasmArray: the caller's, released by the caller
          if (arg.data !== null) arrayBack(memory, arg);
          if (failed) new DataView(memory.buffer).setInt32(arg.block - 8, 1, true);  // only the host's reference
          raw.pyexec_decref(arg.block);
        }
      }
      return sig.result.kind === "tuple" ? readTuple(memory, sig.result, result) : fromWasm(sig.result, result);
    };
    const wrapped = (...args) => call(args, false);
    Object.defineProperty(wrapped, "name", { value: name });
    if (sig.result.kind === "array") {
      // the result left in linear memory as a WasmArray: passed to this module's functions without a copy
      Object.defineProperty(wrapped, "inMemory", { value: (...args) => call(args, true) });
    }
    Object.defineProperty(functions, name, { value: wrapped, enumerable: true });
    if (!RESERVED_NAMES.has(name)) Object.defineProperty(api, name, { value: wrapped, enumerable: true });
  }
  Object.freeze(functions);
  const wasmArray = (dtype, shape) => newWasmArray(raw, memory, dtype, shape);
  for (const [key, value] of [["memory", memory], ["instance", instance], ["functions", functions],
                              ["wasmArray", wasmArray]]) {
    Object.defineProperty(api, key, { value, enumerable: false });
  }
  return Object.freeze(api);
}

function roundAway(x) {
  const a = Math.abs(x);
  let r = Math.floor(a);
  if (a - r >= 0.5) r += 1;
  return x < 0 || Object.is(x, -0) ? -r : r;
}

// C's ldexp, exact: 2**e is a double for -1074 <= e <= 1023, and the scalings towards that range are exact
// (a product that leaves it is the answer: inf, or a value below half the smallest subnormal, which is 0).
function ldexp(x, e) {
  if (x === 0 || !Number.isFinite(x)) return x;
  let r = x;
  while (e > 1023 && Number.isFinite(r)) { r *= 2 ** 1023; e -= 1023; }
  while (e < -1022 && Math.abs(r) >= 1) { r *= 2 ** -1022; e += 1022; }
  if (!Number.isFinite(r)) return r;
  if (e < -1074) return r < 0 ? -0 : 0;
  return r * 2 ** e;
}

// JavaScript's Math has no erf. Below 1.5 (erfc: 0.8), the series
//   erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (2n+1)!!   (all terms positive);
// above it, the continued fraction
//   erfc(x) = x exp(-x^2)/sqrt(pi) / (0.5 + x^2 - 0.5 / (2.5 + x^2 - 3 / (4.5 + x^2 - ...))),
// whose k-th term is k (k - 0.5) / (2k + 0.5 + x^2). Past 30 erfc is 0.
const SQRT_PI = 1.772453850905516;
function erfSeries(x) {
  const x2 = x * x;
  let term = 2 * x, sum = term;
  for (let n = 1; n < 60 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= 2 * x2 / (2 * n + 1);
    sum += term;
  }
  return sum * Math.exp(-x2) / SQRT_PI;
}
function erfcContinuedFraction(x) {
  if (x >= 30) return 0;
  const x2 = x * x;
  let t = 2 * 150 + 0.5 + x2;
  for (let k = 150; k >= 1; k--) t = 2 * (k - 1) + 0.5 + x2 - k * (k - 0.5) / t;
  // exp(-x^2) as exp(-z^2) exp((z - x)(z + x)) with z = x to 24 bits: z^2 is exact, so the rounding of x^2
  // (which exp would magnify by x^2) never happens
  const z = Math.fround(x);
  return x * (Math.exp(-z * z) * Math.exp((z - x) * (z + x))) / SQRT_PI / t;
}
function erf(x) {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a < 1.5) return erfSeries(x);
  const r = 1 - erfcContinuedFraction(a);
  return x < 0 ? -r : r;
}
function erfc(x) {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a < 0.8) return 1 - erfSeries(x);
  const r = erfcContinuedFraction(a);
  return x < 0 ? 2 - r : r;
}
"""


def glue_js(wasm_file: str, signatures: list[ExportSignature]) -> str:
    """The ES module that loads ``wasm_file`` (a path relative to the glue) and wraps its exports.

    Example:
        >>> "new URL(\\"./fib.wasm\\", import.meta.url)" in glue_js("fib.wasm", [])
        True
    """
    stem = wasm_file.rsplit(".", 1)[0]
    name = loader_name(stem)
    js_url = js_string(relative_url(stem + ".js"))
    header = (
        f"// {comment_text(stem)}.js: generated by pyexec. ES module: `import {{ {name} }} from {js_url}`.\n"
        f"// Loads {comment_text(wasm_file)} in browsers (fetch) and in Node (from the file); wraps its exports.\n"
    )
    return (
        header
        + f"const DEFAULT_URL = new URL({js_string(relative_url(wasm_file))}, import.meta.url);\n"
        + f"const SIGNATURES = {signature_table(signatures)};\n"
        + f"const ERROR_KINDS = {json.dumps({str(k): v for k, v in ERROR_KINDS.items()})};\n"
        + f"const RESERVED_NAMES = new Set({json.dumps(sorted(RESERVED_NAMES))});\n"
        + _RUNTIME
        + f"""
/**
 * Load {comment_text(wasm_file)} and return its functions ({", ".join(s.name for s in signatures)}), plus
 * `memory`, `instance` and `functions` (every function by name, also those named like these or `then`).
 * @param source optional URL, path (relative to this file), ArrayBuffer, typed array or Response
 * @param options optional {{ print(line) }} receiving the lines Python's print() writes
 */
export async function {name}(source, options = {{}}) {{
  return loadWith(source, SIGNATURES, options);
}}

export default {name};
"""
    )
