"""Start-up configuration: safe defaults, and a one-line refusal for bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eoffice.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_embedded_and_secret_key_is_kept(tmp_path: Path) -> None:
    first = Settings.from_env(tmp_path, environ={})
    assert first.database_url == f"sqlite:///{tmp_path / 'eoffice.sqlite3'}"
    assert first.storage_url == f"file://{tmp_path / 'objects'}"
    assert first.redis_url is None
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    again = Settings.from_env(tmp_path, environ={})
    assert again.secret_key == first.secret_key


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EOFFICE_DATABASE_URL", "mysql://x"),
        ("EOFFICE_STORAGE_URL", "ftp://host/bucket"),
        ("EOFFICE_STORAGE_URL", "s3://key:secret@host:9000"),
        ("EOFFICE_REDIS_URL", "http://localhost"),
        ("EOFFICE_MAX_UPLOAD_MB", "-3"),
        ("EOFFICE_MAX_UPLOAD_MB", "many"),
        ("EOFFICE_SECRET_KEY", "short"),
        ("EOFFICE_SECURE_COOKIES", "perhaps"),
        ("EOFFICE_DATABSE_URL", "sqlite:///x"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(tmp_path, environ={variable: value})
    assert caught.value.variable == variable
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        "eoffice.hoabinh.gov.vn",
        "ftp://eoffice.hoabinh.gov.vn",
        "https:///eoffice",
        "https://eoffice.hoabinh.gov.vn/?lang=vi",
        "https://eoffice.hoabinh.gov.vn/#top",
    ],
)
def test_malformed_public_url_is_refused_in_one_line(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(tmp_path, environ={"EOFFICE_PUBLIC_URL": value})
    assert str(caught.value) == (
        "EOFFICE_PUBLIC_URL: expected http(s)://HOST[/PREFIX] without ?query or #fragment"
    )


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://eoffice.hoabinh.gov.vn", "https://eoffice.hoabinh.gov.vn"),
        ("https://so.gov.vn/eoffice/", "https://so.gov.vn/eoffice"),
        ("http://10.0.0.5:8080", "http://10.0.0.5:8080"),
    ],
)
def test_public_url_accepts_a_host_with_an_optional_prefix(
    tmp_path: Path, value: str, kept: str
) -> None:
    settings = Settings.from_env(tmp_path, environ={"EOFFICE_PUBLIC_URL": value})
    assert settings.public_url == kept
    assert Settings.from_env(tmp_path, environ={}).public_url is None


def test_postgres_url_uses_psycopg_driver(tmp_path: Path) -> None:
    settings = Settings.from_env(
        tmp_path, environ={"EOFFICE_DATABASE_URL": "postgresql://u:p@db/eoffice"}
    )
    assert settings.database_url == "postgresql+psycopg://u:p@db/eoffice"


def test_app_refuses_to_start_with_one_line_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "routes"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "EOFFICE_STORAGE_URL": "ftp://nowhere"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "eoffice: configuration error: EOFFICE_STORAGE_URL: expected file://PATH or "
        "s3://ACCESS:SECRET@HOST:PORT/BUCKET[?secure=false]"
    ]


def test_settings_the_libraries_read_are_accepted(tmp_path: Path) -> None:
    """The signing library's and the converter's variables never stop the app as unknown."""
    settings = Settings.from_env(tmp_path, environ={
        "EOFFICE_PKI_PASSPHRASE": "mot-cum-tu-bi-mat", "EOFFICE_PIN_STATE": "/var/lib/pins",
        "EOFFICE_CONVERTER": "oneshot"})
    assert settings.converter == "oneshot" and settings.pin_state == "/var/lib/pins"
    assert "mot-cum-tu-bi-mat" not in repr(settings)  # a secret stays out of logs


#: Names spelled EOFFICE_* in the code that are keys of app.config, not environment variables.
CONFIG_KEYS = {"EOFFICE_SETTINGS"}


def _names_in(paths: list[Path]) -> set[str]:
    import re

    found: set[str] = set()
    for path in paths:
        found |= set(re.findall(r"\bEOFFICE_[A-Z0-9_]*[A-Z0-9]\b", path.read_text("utf-8")))
    return found


def test_every_variable_the_code_or_readme_names_is_accepted_at_start_up(tmp_path: Path) -> None:
    """An operator who exports a variable README or a command documents never finds the app
    refusing to start with "unknown setting" (EOFFICE_PKI_PASSPHRASE once did)."""
    from eoffice.settings import COMMAND_VARIABLES, TOOLING_VARIABLES, VARIABLES

    sources = [p for top in ("eoffice", "meetings", "signing", "storage", "formats")
               for p in (ROOT / top).rglob("*.py")]
    named = (_names_in([*sources, ROOT / "wsgi.py", ROOT / "README.md"]) - CONFIG_KEYS)
    assert "EOFFICE_EXCHANGE_P12_PASSPHRASE" in named  # the scan does see command options
    unknown = named - set(VARIABLES) - TOOLING_VARIABLES - COMMAND_VARIABLES
    assert unknown == set(), f"named in code or README but refused at start-up: {unknown}"
    # And a process started with the command-only and tooling variables set does start.
    environ = {name: "x" for name in COMMAND_VARIABLES | TOOLING_VARIABLES}
    Settings.from_env(tmp_path, environ=environ)
