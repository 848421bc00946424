"""``python -m b2safe.cli``."""

import sys

from b2safe.cli import main

sys.exit(main())
