"""Building typed IR from Python's AST (``irbuild``, as in mypyc): expressions, statements, the module."""
