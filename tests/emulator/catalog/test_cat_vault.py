"""Vault file helpers."""

from __future__ import annotations

import pytest
from b2safe_sandbox import vault
from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM
from cat_helpers import raises_code


def test_physical_path_drops_the_zone(tmp_path):
    expected = tmp_path / "home" / "a" / "b.txt"
    assert vault.physical_path(tmp_path, "/z/home/a/b.txt") == str(expected)
    assert vault.physical_path(tmp_path, "/z") == str(tmp_path)


def test_write_read_write_at_and_stream(tmp_path):
    file = tmp_path / "d" / "f"
    assert vault.write(file, b"hello") == 5
    assert vault.write_at(file, 7, b"!!") == 2
    assert vault.read(file) == b"hello\0\0!!"
    assert vault.read(file, 1, 3) == b"ell"
    with vault.open_stream(file) as stream:
        assert stream.read(2) == b"he"
    src = tmp_path / "local"
    src.write_bytes(b"from a file")
    vault.write(file, src)
    assert vault.read(file) == b"from a file"
    with raises_code(SYS_INVALID_INPUT_PARAM):
        vault.write_at(file, -1, b"x")


def test_copy_move_remove_size(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "x" / "b", tmp_path / "y" / "c"
    vault.write(a, b"123")
    assert vault.copy(a, b) == 3
    vault.move(b, c)
    assert vault.size(b) == -1 and vault.read(c) == b"123"
    vault.move(b, a)  # missing source: nothing happens
    vault.remove(c)
    vault.remove(c)
    assert vault.size(c) == -1


def test_corrupt_flip_and_truncate(tmp_path):
    file = tmp_path / "f"
    vault.write(file, b"abc")
    vault.corrupt(file, "flip", 1)
    assert vault.read(file) == bytes([ord("a"), ord("b") ^ 0xFF, ord("c")])
    vault.corrupt(file, "flip", 10)
    assert vault.size(file) == 4
    vault.corrupt(file, "truncate", 2)
    assert vault.size(file) == 2
    vault.corrupt(file, "truncate", 99)
    assert vault.size(file) == 1
    with raises_code(SYS_INVALID_INPUT_PARAM):
        vault.corrupt(file, "shred")
    with pytest.raises(FileNotFoundError):
        vault.corrupt(tmp_path / "missing")
