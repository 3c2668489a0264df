"""The errors the native backend raises: classes users can catch.

Frontend diagnostics (``pyexec.frontend.CompileError``) propagate unchanged; these cover what
happens after the IR is checked: lowering limits, the C toolchain, options.

Example:
    >>> from pyexec.backends.llvm.errors import NativeBuildError, NativeError
    >>> issubclass(NativeBuildError, NativeError)
    True
"""

from __future__ import annotations


class NativeError(Exception):
    """Base class of every error the native backend raises itself."""


class NativeBuildError(NativeError):
    """Building native code failed: an unsupported construct, a bad option, or a toolchain failure."""


class UnsupportedConstructError(NativeBuildError):
    """The typed IR holds a construct the native backend cannot lower (for example complex ``**``)."""


class CCompilerError(NativeBuildError):
    """The C compiler or linker needed to write a shared library is missing or failed."""


class InvalidSymbolNameError(NativeBuildError):
    """A function name cannot be a C symbol (not an identifier, a C keyword, or a libc name)."""
