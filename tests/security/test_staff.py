"""The curious or departed member of staff (issue #13): named accounts with roles, scrypt password hashes,
tokens that expire and can be revoked, an append-only record of every opening of an applicant's record, and
staff notes sealed like every other personal field."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from backend.server.models import StaffToken
from backend.server.staff import (
    StaffError,
    accounts,
    add_account,
    issue_token,
    principal_named,
    revoke_account,
    revoke_token,
    token_digest,
)
from kiosk.core.catalog import Item
from kiosk.remote.client import HttpBackend
from tests.backend.conftest import Served, application


def staff_get(served: Served, token: str, path: str) -> requests.Response:
    return requests.get(served.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)


def test_a_token_expires(served: Served) -> None:
    add_account(served.state, "夜班", "viewer", None)
    token, _expires = issue_token(served.state, "夜班", hours=1.5 / 3600)
    assert staff_get(served, token, "/v1/staff/kiosks").status_code == 200
    time.sleep(2)
    answer = staff_get(served, token, "/v1/staff/kiosks")
    assert answer.status_code == 401 and answer.json()["code"] == "auth_staff"


def test_a_revoked_account_loses_every_token_at_once_and_is_listed(served: Served) -> None:
    add_account(served.state, "离职人员", "clerk", None)
    tokens = [issue_token(served.state, "离职人员")[0] for _ in range(2)]
    assert [a.active_tokens for a in accounts(served.state) if a.name == "离职人员"] == [2]
    assert revoke_account(served.state, "离职人员") == 2
    assert all(staff_get(served, t, "/v1/staff/applications").status_code == 401 for t in tokens)
    assert [a.revoked for a in accounts(served.state) if a.name == "离职人员"] == [True]
    with pytest.raises(StaffError):
        issue_token(served.state, "离职人员")


def test_log_in_with_a_password_stored_as_scrypt(served: Served) -> None:
    add_account(served.state, "窗口二", "clerk", "correct horse battery")
    with served.state.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM staff_accounts WHERE name = '窗口二'")).scalar_one()
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    wrong = requests.post(served.url + "/v1/staff/sessions", json={"name": "窗口二", "password": "wrong password"},
                          timeout=10)
    assert wrong.status_code == 401
    right = requests.post(served.url + "/v1/staff/sessions",
                          json={"name": "窗口二", "password": "correct horse battery"}, timeout=10)
    assert right.status_code == 200, right.text
    assert staff_get(served, right.json()["token"], "/v1/staff/applications").status_code == 200
    for _ in range(6):  # guessing is limited per name
        last = requests.post(served.url + "/v1/staff/sessions", json={"name": "窗口二", "password": "guess guess"},
                             timeout=10)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1


def test_a_viewer_sees_masked_lists_but_cannot_open_a_record(served: Served, client: HttpBackend,
                                                           apply_item: Item) -> None:
    number = client.submit(application(apply_item, 1)).application_number
    add_account(served.state, "统计员", "viewer", None)
    token = issue_token(served.state, "统计员")[0]
    assert staff_get(served, token, "/v1/staff/applications").status_code == 200
    answer = staff_get(served, token, f"/v1/staff/applications/{number}")
    assert answer.status_code == 403 and answer.json()["code"] == "staff_role"


def test_every_opening_of_a_record_is_recorded_and_the_record_is_append_only(
        served: Served, client: HttpBackend, apply_item: Item) -> None:
    number = client.submit(application(apply_item, 2)).application_number
    assert staff_get(served, served.staff_token, f"/v1/staff/applications/{number}").status_code == 200
    moved = requests.post(f"{served.url}/v1/staff/applications/{number}/transitions", json={"to": "accepted"},
                          headers={"Authorization": f"Bearer {served.staff_token}"}, timeout=5)
    assert moved.status_code == 200
    with served.state.engine.connect() as connection:
        rows = connection.execute(text("SELECT staff_name, application_number, action FROM record_openings "
                                       "ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("窗口一", number, "opened"), ("窗口一", number, "moved")]
    for statement in ("UPDATE record_openings SET staff_name = 'someone else'", "DELETE FROM record_openings"):
        with pytest.raises(DBAPIError), served.state.engine.begin() as connection:
            connection.execute(text(statement))


def test_a_staff_note_is_sealed_at_rest(served: Served, client: HttpBackend, apply_item: Item) -> None:
    number = client.submit(application(apply_item, 3)).application_number
    note = "申请人赵某某的残疾证已过期"
    moved = requests.post(f"{served.url}/v1/staff/applications/{number}/transitions",
                          json={"to": "rejected", "reason": note},
                          headers={"Authorization": f"Bearer {served.staff_token}"}, timeout=5)
    assert moved.status_code == 200 and moved.json()["note"] == note  # staff still read it
    with served.state.engine.connect() as connection:
        for table in ("applications", "application_events"):
            for row in connection.execute(text(f"SELECT * FROM {table}")).all():
                dumped = " ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
                assert "赵某某" not in dumped and "残疾证" not in dumped, table


def test_signing_out_ends_that_session_only(served: Served) -> None:
    """退出 in the console ends the one token; the same member's other sessions go on, and signing out with no
    token (a cookie already gone) changes nothing."""
    add_account(served.state, "窗口三", "clerk", None)
    kept, ended = issue_token(served.state, "窗口三")[0], issue_token(served.state, "窗口三")[0]
    add_account(served.state, "窗口四", "clerk", None)
    other = issue_token(served.state, "窗口四")[0]
    revoke_token(served.state, "")
    revoke_token(served.state, ended)
    assert staff_get(served, ended, "/v1/staff/kiosks").status_code == 401
    assert staff_get(served, kept, "/v1/staff/kiosks").status_code == 200
    assert staff_get(served, other, "/v1/staff/kiosks").status_code == 200
    assert [a.active_tokens for a in accounts(served.state) if a.name == "窗口三"] == [1]
    ended_at = revoked_at(served, ended)
    time.sleep(0.01)
    revoke_token(served.state, ended)  # signing out again (a second tab) keeps when the session ended
    assert revoked_at(served, ended) == ended_at and revoked_at(served, kept) is None


def revoked_at(served: Served, token: str) -> object:
    with served.state.sessions() as session:
        return session.scalar(select(StaffToken.revoked_at).where(
            StaffToken.token_digest == token_digest(served.state, token)))


def test_an_operator_command_acts_only_in_an_active_members_name(served: Served) -> None:
    add_account(served.state, "主任", "administrator", None)
    add_account(served.state, "调走的人", "viewer", None)
    principal = principal_named(served.state, "主任")
    assert (principal.name, principal.role) == ("主任", "administrator") and principal.account_id > 0
    assert principal_named(served.state, "调走的人").account_id != principal.account_id
    revoke_account(served.state, "调走的人")
    with pytest.raises(StaffError, match="no active account '调走的人': `kiosk-backend staff add` makes one"):
        principal_named(served.state, "调走的人")
    with pytest.raises(StaffError):
        principal_named(served.state, "无此人")
