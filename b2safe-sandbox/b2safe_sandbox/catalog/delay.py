"""Delayed rules (iRODS r_rule_exec): what delayExec queues and the delay server runs."""

from __future__ import annotations

import sqlite3
from typing import Optional, Union

from b2safe_sandbox.catalog.base import Db, fail, format_time
from b2safe_sandbox.catalog.rows import DelayedRuleRow
from b2safe_sandbox.errors import CAT_NO_ROWS_FOUND

Time = Union[int, str]


def _stamp(value: Time) -> str:
    """An int epoch becomes an 11-digit string; strings are kept ('' = never)."""
    return format_time(value) if isinstance(value, int) else str(value)


class Delay:
    """The delayed-rule queue."""

    def __init__(self, db: Db) -> None:
        self.db = db

    @staticmethod
    def _to_rule(row: sqlite3.Row) -> DelayedRuleRow:
        return DelayedRuleRow(
            id=row["rule_exec_id"], name=row["rule_name"], user_name=row["user_name"],
            user_zone=row["user_zone"], exe_time=row["exe_time"],
            frequency=row["exe_frequency"], priority=row["priority"],
            last_exe_time=row["last_exe_time"], status=row["exe_status"],
            context=row["exe_context"], address=row["exe_address"])

    def delay_add(self, rule_text: str, user: str, exe_time: Time, frequency: str = "",
                  priority: Union[int, str] = 5, context: str = "",
                  address: Optional[str] = None) -> int:
        """Queue ``rule_text`` to run as ``user`` ('name#zone') at ``exe_time``; returns its id.

        ``address`` defaults to the zone host. Guess: RULE_EXEC_REI_FILE_PATH is a made-up
        packedRei path; nothing reads it.
        """
        name, zone = self.db.split_user(user)
        with self.db.tx():
            now = self.db.now_text()
            rid = self.db.next_id()
            self.db.exec(
                "INSERT INTO rule_exec (rule_exec_id, rule_name, rei_file_path, user_name, "
                "user_zone, exe_address, exe_time, exe_frequency, priority, exe_context, "
                "create_ts, modify_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rid, rule_text, f"{self.db.zone_dir}/packedRei/rei.{rid}", name, zone,
                 address if address is not None else self.db.host, _stamp(exe_time), frequency,
                 str(priority), context, now, now))
        return rid

    def delay_get(self, rule_id: int) -> Optional[DelayedRuleRow]:
        """The delayed rule ``rule_id`` or None."""
        row = self.db.one("SELECT * FROM rule_exec WHERE rule_exec_id = ?", (int(rule_id),))
        return None if row is None else self._to_rule(row)

    def delay_list(self, user: Optional[str] = None) -> list[DelayedRuleRow]:
        """Queued rules (of ``user`` 'name#zone' if given) by execution time, then id."""
        sql = "SELECT * FROM rule_exec"
        params: list = []
        if user:
            name, zone = self.db.split_user(user)
            sql += " WHERE user_name = ? AND user_zone = ?"
            params = [name, zone]
        return [self._to_rule(r) for r in self.db.all(sql + " ORDER BY exe_time, rule_exec_id",
                                                      params)]

    def delay_due(self, now: int) -> list[DelayedRuleRow]:
        """Queued rules whose execution time is at or before ``now``, in run order."""
        rows = self.db.all("SELECT * FROM rule_exec WHERE exe_time <= ? "
                           "ORDER BY exe_time, rule_exec_id", (format_time(now),))
        return [self._to_rule(r) for r in rows]

    def delay_update(self, rule_id: int, *, exe_time: Optional[Time] = None,
                     last_exe_time: Optional[Time] = None, status: Optional[str] = None,
                     frequency: Optional[str] = None, priority: Optional[Union[int, str]] = None,
                     context: Optional[str] = None) -> DelayedRuleRow:
        """Change fields of delayed rule ``rule_id``; CAT_NO_ROWS_FOUND if it is not queued."""
        fields = {
            "exe_time": None if exe_time is None else _stamp(exe_time),
            "last_exe_time": None if last_exe_time is None else _stamp(last_exe_time),
            "exe_status": status,
            "exe_frequency": frequency,
            "priority": None if priority is None else str(priority),
            "exe_context": context,
        }
        changes = {k: v for k, v in fields.items() if v is not None}
        with self.db.tx():
            if self.delay_get(rule_id) is None:
                raise fail(CAT_NO_ROWS_FOUND, f"no delayed rule {rule_id}")
            changes["modify_ts"] = self.db.now_text()
            assignments = ", ".join(f"{column} = ?" for column in changes)
            self.db.exec(f"UPDATE rule_exec SET {assignments} WHERE rule_exec_id = ?",  # noqa: S608
                         (*changes.values(), int(rule_id)))
        row = self.delay_get(rule_id)
        assert row is not None
        return row

    def delay_remove(self, rule_id: int) -> None:
        """Remove delayed rule ``rule_id``; CAT_NO_ROWS_FOUND if it is not queued."""
        with self.db.tx():
            cursor = self.db.exec("DELETE FROM rule_exec WHERE rule_exec_id = ?", (int(rule_id),))
            if cursor.rowcount == 0:
                raise fail(CAT_NO_ROWS_FOUND, f"no delayed rule {rule_id}")
