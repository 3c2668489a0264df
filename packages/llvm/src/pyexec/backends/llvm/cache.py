"""The disk cache of compiled object code for ``aot``.

Trust model. A cache entry decides what machine code runs in this process, so the cache trusts
exactly one party: the user running pyexec. Nothing else is trusted, neither the files nor the
directory they sit in:

- The directory is created private (mode 0700). An existing directory is used only if it, after
  symlinks are resolved, is owned by the current user and not writable by group or others, and every
  directory above it is owned by the current user or root and not writable by others (a sticky
  ``/tmp`` is fine). Otherwise pyexec emits a :class:`CacheWarning` naming the directory and what is
  wrong, and compiles without the cache (nothing is read from or written to it).
- Each entry is authenticated: its header holds an HMAC-SHA256, under a per-user secret key
  (``secret.key``, 32 random bytes, mode 0600, in the cache directory), of the entry's key and its
  object code. An entry is loaded only if it is a regular file (no symlink, FIFO or device), of a
  sane size, whose header is exactly the one this process would write for that key and payload.
  Anything else (a truncated, extended, bit-flipped, foreign or swapped entry) is a cache miss: the
  function is compiled again and the entry rewritten. Nothing unauthenticated reaches LLVM.
- The key changes whenever the compiler does: it hashes the typed IR, the options, the target
  (triple, CPU, features), Python's and llvmlite's/LLVM's versions, and a fingerprint of the
  compiler's own source files (this package, the frontend and the types), so no object code from
  another build of the compiler is ever reused.

What this does not defend against: someone who can already act as the user (read ``secret.key`` or
write the user's files) can make pyexec run anything, as they could by editing its source. On
Windows the owner and mode checks are skipped (the default location is in the user's profile,
private by its ACL); the HMAC still applies.

Entries are ``<key>.o``; writes go to a temporary file renamed into place (atomic) and the
temporary file is removed if anything fails.

Location: ``$PYEXEC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/pyexec/native``, else
``~/.cache/pyexec/native``. ``PYEXEC_NO_CACHE=1`` disables it.

Example:
    >>> from pyexec.backends.llvm.cache import cache_dir
    >>> cache_dir().name
    'native'
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import importlib.util
import os
import secrets
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path

import llvmlite
import llvmlite.binding as llvm

from pyexec.frontend.ir import nodes as n

_MAGIC = b"pyexec-native-cache-v2"
KEY_FILE = "secret.key"
_KEY_BYTES = 32
MAX_ENTRY_BYTES = 256 * 1024 * 1024
"""An entry larger than this is not read (object code of one module is far smaller)."""

COMPILER_PACKAGES = ("pyexec.backends.llvm", "pyexec.frontend", "pyexec.types", "pyexec.memory")
"""Packages whose source files make up the compiler fingerprint (those installed)."""


class CacheWarning(UserWarning):
    """The cache directory is not safe to use (so the cache is off); the message says why and what to do."""


def cache_dir() -> Path:
    """The cache directory (not created until something is stored)."""
    env = os.environ.get("PYEXEC_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pyexec" / "native"


def enabled() -> bool:
    """False when ``PYEXEC_NO_CACHE`` is set to a true value (``1``, ``true``, ``yes``)."""
    return os.environ.get("PYEXEC_NO_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")


# --- the key -------------------------------------------------------------------------------------


def fingerprint_files(directories: Iterable[Path]) -> str:
    """A hex SHA-256 of every file under ``directories`` (paths and contents; ``__pycache__`` left out).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> a = fingerprint_files([d]); _ = (d / "x.py").write_text("1")
        >>> a == fingerprint_files([d])
        False
    """
    h = hashlib.sha256()
    for directory in directories:
        h.update(str(directory.name).encode() + b"\0")
        files = sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            h.update(path.relative_to(directory).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@functools.cache
def compiler_fingerprint() -> str:
    """A hex SHA-256 that changes whenever the compiler does: its source files, Python, llvmlite and LLVM."""
    directories = []
    for name in COMPILER_PACKAGES:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            directories.append(Path(location))
    h = hashlib.sha256(fingerprint_files(directories).encode())
    for part in (sys.version, sys.implementation.cache_tag or "", llvmlite.__version__,
                 ".".join(map(str, llvm.llvm_version_info))):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def cache_key(module: n.Module, roots: list[str], *, opt: int, overflow: str, target: str,
              boundscheck: bool = True) -> str:
    """The cache key of a native module (hex SHA-256)."""
    h = hashlib.sha256()
    for part in (_MAGIC.decode(), repr(sorted(module.functions.items())), ",".join(roots), f"O{opt}", overflow, target,
                 compiler_fingerprint(), "" if boundscheck else "no-boundscheck"):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


# --- the directory and the secret ----------------------------------------------------------------

_lock = threading.Lock()
_warned: set[tuple[str, str]] = set()


def _warn(directory: Path, problem: str) -> None:
    with _lock:
        if (str(directory), problem) in _warned:
            return
        _warned.add((str(directory), problem))
    warnings.warn(
        f"pyexec: not using the native code cache {directory}: {problem}; compiling without it. Make it private "
        "(chmod 700, owned by you) or set PYEXEC_CACHE_DIR to a directory of your own.",
        CacheWarning, stacklevel=4)


def _check_ownership(path: Path, uid: int) -> str | None:
    """Why the resolved directory ``path`` is not private to ``uid`` (None if it is)."""
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory"
    if st.st_uid != uid:
        return f"it is owned by another user (uid {st.st_uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others can write to it (mode {stat.S_IMODE(st.st_mode):o})"
    for parent in path.parents:
        pst = os.lstat(parent)
        if pst.st_uid not in (uid, 0):
            return f"the directory above it, {parent}, is owned by another user (uid {pst.st_uid})"
        if pst.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not pst.st_mode & stat.S_ISVTX:
            return f"others can replace it: {parent} is writable by others without the sticky bit"
    return None


def private_dir(directory: Path, *, create: bool) -> Path | None:
    """``directory`` resolved, if the current user alone controls it; else None (with a :class:`CacheWarning`).

    Creates it with mode 0700 when ``create`` is true. Returns None without a warning when it does
    not exist (and ``create`` is false) or cannot be created.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()) / "cache"
        >>> oct(private_dir(d, create=True).stat().st_mode & 0o777)
        '0o700'
    """
    try:
        if create:
            directory.parent.mkdir(parents=True, exist_ok=True)
            try:
                directory.mkdir(mode=0o700)
            except FileExistsError:
                pass
        resolved = directory.resolve(strict=True)
        if not hasattr(os, "getuid"):  # Windows: the profile's ACL keeps it private
            return resolved if resolved.is_dir() else None
        problem = _check_ownership(resolved, os.getuid())
    except OSError:
        return None
    if problem:
        _warn(directory, problem)
        return None
    return resolved


def _open_regular(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result] | None:
    """The bytes and status of ``path`` if it is a regular file of at most ``max_bytes`` (no symlink, FIFO, device)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
        return (data, st) if len(data) <= max_bytes else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _write_atomic(directory: Path, name: str, data: bytes) -> Path:
    """Write ``directory/name`` by renaming a private temporary file into place; no temporary file is left."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name[:16]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, directory / name)
        return directory / name
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def secret_key(directory: Path) -> bytes | None:
    """The per-user HMAC key kept in the private ``directory`` (made on first use), or None if unusable."""
    path = directory / KEY_FILE
    for _ in range(3):
        found = _open_regular(path, 4096)
        if found is not None:
            data, st = found
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
                _warn(directory, f"its {KEY_FILE} is not private to you (mode {stat.S_IMODE(st.st_mode):o})")
                return None
            if len(data) != _KEY_BYTES:
                _warn(directory, f"its {KEY_FILE} is damaged (delete it to start a fresh cache)")
                return None
            return data
        try:
            kind = os.lstat(path).st_mode
        except FileNotFoundError:
            kind = None
        except OSError:
            return None
        if kind is not None:
            if stat.S_ISREG(kind):
                continue  # another thread or process linked the key in between our two looks: read it
            _warn(directory, f"its {KEY_FILE} is not a regular file (delete it to start a fresh cache)")
            return None
        # Link a complete key into place: two processes starting at once agree on one key.
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".key.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(_KEY_BYTES))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        except OSError:
            return None
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    return None


def _header(secret: bytes, key: str, payload: bytes) -> bytes:
    mac = hmac.new(secret, _MAGIC + b"\0" + key.encode() + b"\0", hashlib.sha256)
    mac.update(payload)
    return _MAGIC + b" " + key.encode() + b" " + mac.hexdigest().encode() + b"\n"


# --- load and store ------------------------------------------------------------------------------


def load(key: str) -> bytes | None:
    """The object code stored under ``key``, or None (absent, unauthenticated, unsafe directory, or disabled).

    Example:
        >>> load("0" * 64) is None  # nothing stored under this key
        True
    """
    if not enabled() or not key.isalnum():
        return None
    directory = private_dir(cache_dir(), create=False)
    if directory is None:
        return None
    found = _open_regular(directory / f"{key}.o", MAX_ENTRY_BYTES)
    if found is None:
        return None
    data = found[0]
    secret = secret_key(directory)
    if secret is None:
        return None
    head, sep, payload = data.partition(b"\n")
    if not sep or not hmac.compare_digest(head + b"\n", _header(secret, key, payload)):
        return None
    return payload


def store(key: str, payload: bytes) -> Path | None:
    """Store object code atomically; returns the path, or None if the cache is disabled, unsafe or unwritable."""
    if not enabled() or not key.isalnum():
        return None
    directory = private_dir(cache_dir(), create=True)
    if directory is None:
        return None
    secret = secret_key(directory)
    if secret is None:
        return None
    try:
        return _write_atomic(directory, f"{key}.o", _header(secret, key, payload) + payload)
    except OSError:
        return None
