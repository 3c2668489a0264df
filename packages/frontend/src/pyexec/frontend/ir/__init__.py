"""The typed IR: node classes (``nodes``), types (``types``), the printer and the verifier.

Example:
    >>> from pyexec.frontend.ir import nodes, types
    >>> str(types.INT), nodes.Loc("f.py", 3, 4).line
    ('int', 3)
"""
