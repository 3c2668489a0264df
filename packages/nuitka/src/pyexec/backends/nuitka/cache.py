"""Built executables, kept by the content they were built from, so an unchanged function is not rebuilt.

The key hashes the launcher (which holds the function's name and command line), the module's
name and source bytes, the Nuitka and Python versions and the Nuitka options. A change to
another module the function's module imports is not in the key: pass ``PYEXEC_CACHE_DIR``
to a fresh folder, or delete the cache folder, to force a rebuild then.

Location: ``$PYEXEC_CACHE_DIR/executables`` if that variable is set, else
``$XDG_CACHE_HOME/pyexec/executables`` (``~/.cache/pyexec/executables`` by default;
``%LOCALAPPDATA%\\pyexec\\executables`` on Windows).

Example:
    >>> from pyexec.backends.nuitka.cache import cache_root
    >>> cache_root().name
    'executables'
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

CACHE_VARIABLE = "PYEXEC_CACHE_DIR"
KEY_FORMAT = "pyexec-nuitka-cache-1"


def cache_root() -> Path:
    """The folder that holds cached executables (see the module docstring for how it is chosen)."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured).expanduser() / "executables"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pyexec" / "executables"


def cache_key(*, launcher: str, module_name: str, module_source: bytes, nuitka_version: str,
              nuitka_options: Sequence[str]) -> str:
    """A hex digest of everything the executable is built from.

    Example:
        >>> a = cache_key(launcher="x", module_name="m", module_source=b"1", nuitka_version="4", nuitka_options=[])
        >>> a == cache_key(launcher="x", module_name="m", module_source=b"2", nuitka_version="4", nuitka_options=[])
        False
    """
    digest = hashlib.sha256()
    for part in (KEY_FORMAT, sys.version, sys.platform, nuitka_version, module_name, launcher, *nuitka_options):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(module_source)
    return digest.hexdigest()[:32]
