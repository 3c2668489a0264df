"""``python -m fuzz``: run the differential fuzzer, show a program, or reduce a finding (see fuzz/README.md)."""

from fuzz.cli import main

raise SystemExit(main())
