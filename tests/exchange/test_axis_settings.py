"""Configuring the axis: HTTPS only (plain HTTP to this machine alone), a system id and secret
required with the URL, the secret never shown; the hub's routes only where EOFFICE_HUB is on."""

from __future__ import annotations

from pathlib import Path

import pytest

from eoffice import create_app
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.ports import remote_transport
from eoffice.settings import Settings, SettingsError

SECRET = "bi-mat-cua-he-thong-" + "x" * 20


def settings(tmp_path: Path, **environ: str) -> Settings:
    return Settings.from_env(tmp_path, environ={"EOFFICE_SECRET_KEY": "k" * 40, **environ})


@pytest.mark.parametrize("url", ["http://hub.hoabinh.gov.vn/axis", "ftp://127.0.0.1/axis",
                                 "hub.hoabinh.gov.vn"])
def test_the_axis_is_reached_over_https_only(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        settings(tmp_path, EOFFICE_AXIS_URL=url)
    assert refused.value.variable == "EOFFICE_AXIS_URL"
    assert settings(tmp_path, EOFFICE_AXIS_URL="https://hub.hoabinh.gov.vn/axis/").axis_url == (
        "https://hub.hoabinh.gov.vn/axis")
    assert settings(tmp_path, EOFFICE_AXIS_URL="http://127.0.0.1:8000/axis").axis_url


def test_a_url_without_its_credentials_stops_the_app_naming_what_is_missing(
        tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        create_app(settings(tmp_path, EOFFICE_AXIS_URL="https://hub.example.vn/axis",
                            EOFFICE_AXIS_SYSTEM_ID="one"))
    assert refused.value.variable == "EOFFICE_AXIS_SECRET"


def test_the_configured_client_is_installed_and_never_shows_its_secret(tmp_path: Path) -> None:
    configured = settings(tmp_path, EOFFICE_AXIS_URL="https://hub.example.vn/axis",
                          EOFFICE_AXIS_SYSTEM_ID="one", EOFFICE_AXIS_SECRET=SECRET,
                          EOFFICE_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert SECRET not in repr(configured)
    app = create_app(configured)
    with app.app_context():
        client = remote_transport()
        assert isinstance(client, AxisClient)
        assert client.system_id == "one" and SECRET not in repr(client)
    assert not any(rule.rule.startswith("/axis/") for rule in app.url_map.iter_rules())
    hub = create_app(settings(tmp_path, EOFFICE_HUB="1",
                              EOFFICE_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert {rule.rule for rule in hub.url_map.iter_rules()} >= {
        "/axis/sendEdoc", "/axis/getReceivedEdocList", "/axis/getEdoc", "/axis/updateStatus",
        "/axis/getAgenciesList", "/axis/getSentEdocList"}
