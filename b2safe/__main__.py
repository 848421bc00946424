"""``python3 -m b2safe``: the ``b2safe`` command (for accounts whose PATH lacks the script)."""

import sys

from b2safe.cli import main

sys.exit(main())
