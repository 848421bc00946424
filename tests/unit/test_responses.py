"""4.x response strings are rendered at the rule edge (ruleset/responses.py) from the
workflows' Failure values; the workflow's own error names no 4.x form."""

from __future__ import annotations

import pytest

from b2safe.errors import SYS_SOCK_CONNECT_ERR
from b2safe.ruleset import responses
from b2safe.workflows.replication import Failure, ReplicationFailed

FAILURES = [Failure("/zoneA/a", "/zoneB/a", "network down"),
            Failure("/zoneA/b", "/zoneB/b", "PID of source /zoneA/b is None"),
            Failure("/zoneA/c", "/zoneB/c", "x")]


def test_the_4x_failure_response_joins_one_message_per_failure():
    assert responses.failures(FAILURES[:2]) == (
        "/zoneA/a::/zoneB/a::false::network down,"
        "/zoneA/b::/zoneB/b::false::PID of source /zoneA/b is None")
    assert responses.failures(FAILURES, 1) == "/zoneA/a::/zoneB/a::false::network down " \
        "(and 2 more)"
    assert responses.transfer("/a", "/b", True, "ok") == "/a::/b::true::ok"


def test_the_workflow_error_is_values_and_a_plain_message():
    exc = ReplicationFailed(FAILURES, SYS_SOCK_CONNECT_ERR)
    assert exc.failures == FAILURES and exc.code == SYS_SOCK_CONNECT_ERR
    assert exc.message == "/zoneA/a -> /zoneB/a: network down (and 2 more)"


def test_a_rule_lets_the_failure_out_in_4x_form_with_its_code():
    with pytest.raises(ReplicationFailed) as caught, responses.failures_in_4x_form():
        raise ReplicationFailed(FAILURES[:1], SYS_SOCK_CONNECT_ERR)
    assert caught.value.message == "/zoneA/a::/zoneB/a::false::network down"
    assert caught.value.code == SYS_SOCK_CONNECT_ERR
    assert caught.value.failures == FAILURES[:1]
