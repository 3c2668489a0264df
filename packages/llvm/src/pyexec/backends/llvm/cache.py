"""The disk cache of compiled object code for ``aot``.

Key: a SHA-256 of the typed IR (its full ``repr``: the source locations, the types and every
callee), the root functions, the options (opt, overflow), the target (triple, CPU, features), and
the pyexec, Python (the wrapper uses its C API), llvmlite and LLVM versions. Each entry is
``<key>.o`` holding a header line (a magic, the key, a SHA-256 of the payload) and the object
code; writes go to a temporary file renamed into place (atomic). An entry whose header does not
match is ignored (and rebuilt), never loaded.

Location: ``$PYEXEC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/pyexec/native``, else
``~/.cache/pyexec/native``. ``PYEXEC_NO_CACHE=1`` disables it.

Example:
    >>> from pyexec.backends.llvm.cache import cache_dir
    >>> cache_dir().name
    'native'
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import llvmlite
import llvmlite.binding as llvm

from pyexec.frontend.ir import nodes as n

_MAGIC = b"pyexec-native-cache-v1"
PYEXEC_VERSION = "0.1.0"


def cache_dir() -> Path:
    """The cache directory (not created until something is stored)."""
    env = os.environ.get("PYEXEC_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pyexec" / "native"


def enabled() -> bool:
    """False when ``PYEXEC_NO_CACHE`` is set to a true value (``1``, ``true``, ``yes``)."""
    return os.environ.get("PYEXEC_NO_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")


def cache_key(module: n.Module, roots: list[str], *, opt: int, overflow: str, target: str) -> str:
    """The cache key of a native module (hex SHA-256)."""
    h = hashlib.sha256()
    for part in (_MAGIC.decode(), repr(sorted(module.functions.items())), ",".join(roots), f"O{opt}", overflow, target,
                 PYEXEC_VERSION, sys.version, llvmlite.__version__, ".".join(map(str, llvm.llvm_version_info))):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _header(key: str, payload: bytes) -> bytes:
    return _MAGIC + b" " + key.encode() + b" " + hashlib.sha256(payload).hexdigest().encode() + b"\n"


def load(key: str) -> bytes | None:
    """The object code stored under ``key``, or None (absent, corrupt, foreign, or cache disabled)."""
    if not enabled():
        return None
    path = cache_dir() / f"{key}.o"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, sep, payload = data.partition(b"\n")
    if not sep or head + b"\n" != _header(key, payload):
        return None
    return payload


def store(key: str, payload: bytes) -> Path | None:
    """Store object code atomically; returns the path, or None if the cache is disabled or unwritable."""
    if not enabled():
        return None
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{key[:16]}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(_header(key, payload) + payload)
        path = directory / f"{key}.o"
        os.replace(tmp, path)
        return path
    except OSError:
        return None
