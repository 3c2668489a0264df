"""Which names can be C symbols of a compiled library, and why not.

Rule (documented in docs/backends/native.md): a function keeps its Python name as its C symbol. A
name that is not a C identifier, is a C or C++ keyword, is a name of the C standard library (libc,
libm), or starts with the reserved prefix ``pyexec_`` is refused with
:class:`~pyexec.backends.llvm.errors.InvalidSymbolNameError`, naming a fix; nothing is renamed
silently, so the header always shows the names the Python source has.

Example:
    >>> check_symbol("area")
    'area'
"""

from __future__ import annotations

import re

from pyexec.backends.llvm.errors import InvalidSymbolNameError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

C_KEYWORDS = frozenset("""
auto break case char const continue default do double else enum extern float for goto if inline int long
register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while
_Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local
alignas alignof bool constexpr false nullptr static_assert thread_local true typeof typeof_unqual
and and_eq asm bitand bitor catch char8_t char16_t char32_t class compl concept consteval constinit const_cast
co_await co_return co_yield decltype delete dynamic_cast explicit export friend mutable namespace new noexcept
not not_eq operator or or_eq private protected public reinterpret_cast requires static_cast template this throw
try typeid typename using virtual wchar_t xor xor_eq main
""".split())
"""C (C23) and C++ keywords, and ``main``."""

LIBC_NAMES = frozenset("""
abort abs acos acosh asin asinh atan atan2 atanh atexit atof atoi atol atoll bsearch calloc cbrt ceil clock
copysign cos cosh div erf erfc exit exp exp2 expm1 fabs fclose fdim feof ferror fflush fgetc fgets floor fma
fmax fmin fmod fopen fprintf fputc fputs fread free frexp fscanf fseek ftell fwrite getc getchar getenv gets
hypot ilogb isalnum isalpha isdigit islower isspace isupper labs ldexp ldiv lgamma llabs llrint llround log
log10 log1p log2 logb lrint lround malloc memchr memcmp memcpy memmove memset modf nan nearbyint nextafter
perror pow printf putc putchar puts qsort raise rand realloc remainder remove rename rewind rint round scalbn
scanf setbuf signal sin sinh snprintf sprintf sqrt srand sscanf strcat strchr strcmp strcpy strerror strlen
strncat strncmp strncpy strrchr strstr strtod strtof strtol strtoul system tan tanh tgamma time tmpfile
tolower toupper trunc ungetc vprintf vsnprintf open close read write stat fork exec kill sleep usleep
""".split())
"""Names of the C standard library (and a few POSIX ones) a library symbol must not take."""


def check_symbol(name: str, what: str = "function") -> str:
    """Return ``name`` if it can be a C symbol, else raise InvalidSymbolNameError saying why.

    Example:
        >>> check_symbol("int")
        Traceback (most recent call last):
        ...
        pyexec.backends.llvm.errors.InvalidSymbolNameError: the function name 'int' is a C/C++ keyword ...
    """
    hint = f"rename the {what} (for example to '{_suggest(name)}')"
    if not _IDENTIFIER.match(name):
        raise InvalidSymbolNameError(f"the {what} name {name!r} is not a C identifier; {hint}")
    if name in C_KEYWORDS:
        raise InvalidSymbolNameError(f"the {what} name {name!r} is a C/C++ keyword and cannot be a symbol; {hint}")
    if name in LIBC_NAMES:
        raise InvalidSymbolNameError(
            f"the {what} name {name!r} is a C standard library function; a library exporting it would "
            f"replace libc's for the whole program; {hint}"
        )
    if name.startswith("pyexec_"):
        raise InvalidSymbolNameError(f"the {what} name {name!r} uses the prefix 'pyexec_' reserved for the runtime; "
                                     f"{hint}")
    return name


def _suggest(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name, flags=re.ASCII) or "f"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    return cleaned if cleaned != name else f"{name}_"
