"""PID suffix minting, the retry policy and log redaction (pure, no network)."""

from __future__ import annotations

import logging
import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2safe.adapters.handle import logsafe
from b2safe.adapters.handle.minting import NAMESPACE, deterministic_suffix, mint_handle
from b2safe.adapters.handle.retry import RetryPolicy, Transient
from b2safe.errors import InvalidInput


@given(st.text(min_size=1))
def test_deterministic_suffix_is_reproducible_and_upper_case(key):
    suffix = deterministic_suffix(key)
    assert suffix == deterministic_suffix(key) and suffix == suffix.upper()
    assert len(suffix) == 36


@given(st.text(min_size=1))
def test_deterministic_suffix_is_the_uuid5_of_the_key(key):
    # A retry, or a re-run after an upgrade, must reproduce the handles minted before.
    assert deterministic_suffix(key) == str(uuid.uuid5(NAMESPACE, key)).upper()


def test_deterministic_suffix_is_stable():
    assert deterministic_suffix("irods://zonea:1247|-d|10001|/zoneA/home/alice/x") == \
        str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL,
                                  "https://eudat.eu/services/b2safe/pid-suffix"),
                       "irods://zonea:1247|-d|10001|/zoneA/home/alice/x")).upper()


def test_different_keys_and_modes():
    assert mint_handle("21.T1", "zone:1") != mint_handle("21.T1", "zone:2")
    assert mint_handle("21.T1", "k", "uuid") != mint_handle("21.T1", "k", "uuid")
    with pytest.raises(InvalidInput):
        mint_handle("21.T1", "k", "sequential")
    with pytest.raises(InvalidInput):
        mint_handle("21.T1", "")


def test_retry_policy_retries_transient_then_gives_up():
    waits: list = []
    policy = RetryPolicy(retries=2, backoff=1.0, sleep=waits.append, rng=random.Random(1))
    calls: list = []

    def always_fails(attempt: int) -> None:
        calls.append(attempt)
        raise Transient("boom")

    with pytest.raises(Transient):
        policy.run(always_fails)
    assert calls == [0, 1, 2]
    assert len(waits) == 2
    assert 0.5 <= waits[0] < 1.5 and 1.0 <= waits[1] < 3.0  # jittered exponential


def test_retry_policy_does_not_retry_other_errors():
    calls: list = []

    def fails(attempt: int) -> None:
        calls.append(attempt)
        raise ValueError("4xx")

    with pytest.raises(ValueError):
        RetryPolicy(retries=5, sleep=lambda s: None).run(fails)
    assert calls == [0]
    assert RetryPolicy(retries=1, sleep=lambda s: None).run(
        lambda n: "ok" if n == 1 else (_ for _ in ()).throw(Transient("x"))) == "ok"


def test_redaction_of_pyhandle_style_debug_lines(caplog):
    redactor = logsafe.install()
    redactor.add_secrets(["hunter2-secret"], users=["300:21.T1/U"])
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger("pyhandle.handlesystemconnector")
    logger.debug("PUT Request headers: %s", {"Authorization": "Basic MzAwJTNBMjE6aHVudGVy"})
    logger.debug("password is hunter2-secret")
    assert "MzAwJTNBMjE6aHVudGVy" not in caplog.text
    assert "hunter2-secret" not in caplog.text
    assert caplog.text.count("***") == 2
