#!/usr/bin/env python3
"""Regenerate the generated reference documents under docs/ (tests fail when they are stale)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2safe.ops.docgen import GENERATED  # noqa: E402


def main() -> int:
    for relative, build in GENERATED.items():
        target = ROOT / relative
        target.write_text(build(), encoding="utf-8")
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
