"""``python -m pyexec.cli``: the same as the ``pyexec`` command."""

import sys

from pyexec.cli import main

sys.exit(main())
