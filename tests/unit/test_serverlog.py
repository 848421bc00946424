"""Server-log handler: levels, redaction, and no callback use from worker threads."""

import contextvars
import logging
import threading

import pytest

from b2safe.prep import log as serverlog

from .fakeprep import RecordingCallback


@pytest.mark.parametrize(
    "text,secret",
    [
        ("Authorization: Basic MzAwJTNBMjEuVDEyMzQ1L1VTRVIwMTpwdw==", "MzAwJTNB"),
        ('{"username": "300:21.T1/U", "password": "hunter2"}', "hunter2"),
        ("password=hunter2 and more", "hunter2"),
        ("connect https://user:topsecret@handle.example.org/api", "topsecret"),
        ("'private_key': '/etc/k.pem'", "/etc/k.pem"),
    ],
)
def test_redaction(text, secret):
    cleaned = serverlog.redact(text)
    assert secret not in cleaned
    assert "***" in cleaned


def test_records_go_through_the_current_callback_redacted():
    serverlog.install_handler(2)
    cb = RecordingCallback()
    log = logging.getLogger("b2safe.t")
    with serverlog.rule_call(cb, "R1"):
        log.debug("calling with password=hunter2")
    assert cb.out("serverLog") == ["b2safe DEBUG [R1] calling with password=***"]


def test_worker_thread_records_are_flushed_by_the_rule_thread():
    serverlog.install_handler(1)
    cb = RecordingCallback()  # raises if used from another thread
    log = logging.getLogger("b2safe.t")
    with serverlog.rule_call(cb, "R2"):
        context = contextvars.copy_context()
        t = threading.Thread(target=context.run, args=(log.info, "from worker"))
        t.start()
        t.join()
        assert cb.out("serverLog") == []
        log.info("from rule")
    assert cb.out("serverLog") == ["b2safe INFO [R2] from worker", "b2safe INFO [R2] from rule"]


def test_a_thread_outside_the_rule_context_writes_nothing():
    serverlog.install_handler(1)
    cb = RecordingCallback()
    with serverlog.rule_call(cb, "R3"):
        t = threading.Thread(target=logging.getLogger("b2safe.t").info, args=("stray",))
        t.start()
        t.join()
    assert cb.out("serverLog") == []


def test_outside_a_rule_call_nothing_is_written():
    serverlog.install_handler(3)
    logging.getLogger("b2safe.t").error("no call running")  # must not raise
