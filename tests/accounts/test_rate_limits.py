"""Rate limits on the login form, in front of the database throttle: failures on one name from
one address are cut off early (429, Retry-After, a Vietnamese page) while the same person logs
in from another address; a flood from one address is cut off whatever the names; with Redis the
counters are shared by every process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eoffice.demo import seed_demo
from tests.conftest import _wipe, csrf_token_from, make_app
from tests.services.redis import redis_url  # noqa: F401  (fixture)

LIMITS = {"RATE_LIMIT_LOGIN_PER_ADDRESS": "8 per minute",
          "RATE_LIMIT_LOGIN_FAILURES_PER_NAME": "3 per minute"}


@pytest.fixture()
def lapp(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, extra=dict(LIMITS))
    with application.app_context():
        seed_demo()
    try:
        yield application
    finally:
        _wipe(application)


def attempt(client: FlaskClient, address: str, name: str, password: str) -> tuple[int, str, dict]:
    environ = {"REMOTE_ADDR": address}
    token = csrf_token_from(client.get("/login", environ_base=environ).get_data(as_text=True))
    answer = client.post("/login", data={"username": name, "password": password,
                                         "csrf_token": token}, environ_base=environ)
    return answer.status_code, answer.get_data(as_text=True), dict(answer.headers)


def test_failures_on_one_name_are_cut_off_but_not_from_elsewhere(lapp: Flask) -> None:
    attacker = lapp.test_client()
    for _ in range(3):
        assert attempt(attacker, "198.51.100.7", "chutich", "sai-mat-khau")[0] == 401
    status, page, headers = attempt(attacker, "198.51.100.7", "chutich", "sai-mat-khau")
    assert status == 429
    assert "Quá nhiều yêu cầu" in page
    assert int(headers["Retry-After"]) > 0
    # Refused before the password is even checked: the right one is refused too, from there.
    assert attempt(attacker, "198.51.100.7", "chutich", "matkhau123")[0] == 429
    # The leader at her own desk is not locked out by it.
    assert attempt(lapp.test_client(), "10.0.0.21", "chutich", "matkhau123")[0] == 302


def test_successful_logins_do_not_count_against_the_name(lapp: Flask) -> None:
    for _ in range(4):  # more than the failure limit, all successful, from one office address
        assert attempt(lapp.test_client(), "10.0.0.30", "vanthu", "matkhau123")[0] == 302


def test_a_flood_from_one_address_is_cut_off_whatever_the_names(lapp: Flask) -> None:
    client = lapp.test_client()
    statuses = [attempt(client, "203.0.113.9", f"nguoi{n}", "matkhau123")[0] for n in range(9)]
    assert statuses[:8] == [401] * 8 and statuses[8] == 429
    assert attempt(lapp.test_client(), "203.0.113.10", "nguoi0", "x")[0] == 401


def test_with_redis_every_process_shares_the_counters(
    database_url: str, tmp_path: Path, redis_url: str  # noqa: F811
) -> None:
    first = make_app(tmp_path / "a", database_url, redis_url=redis_url, extra=dict(LIMITS))
    second = make_app(tmp_path / "b", database_url, redis_url=redis_url, extra=dict(LIMITS))
    with first.app_context():
        seed_demo()
    try:
        address = "192.0.2.44"
        for app in (first, second, first):
            assert attempt(app.test_client(), address, "phochutich", "sai")[0] == 401
        assert attempt(second.test_client(), address, "phochutich", "sai")[0] == 429
    finally:
        first.extensions["eoffice.limiter"].reset()
        _wipe(first)
