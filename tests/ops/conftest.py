"""Fixtures of the ops tier (see tree.py)."""

from tests.ops.tree import etc  # noqa: F401 - the fixture
