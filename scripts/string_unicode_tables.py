"""Regenerate the Unicode tables of compiled string methods from the running Python.

    python scripts/string_unicode_tables.py   (run with the Python whose Unicode version you want)
"""

from pyexec.backends.llvm.string_unicode import TABLES_PATH, write_tables

if __name__ == "__main__":
    write_tables()
    print(f"wrote {TABLES_PATH}")
