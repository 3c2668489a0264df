"""pyexec's own random program generator and differential fuzzer (see fuzz/README.md).

``generate`` writes well-typed programs over the documented subset, ``oracle`` runs them in CPython,
``worker`` compiles and calls them in a child process, ``runner`` compares every backend with the oracle,
``reduce`` shrinks a finding into a regression test.
"""
