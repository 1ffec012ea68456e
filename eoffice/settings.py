"""Typed settings read from ``EOFFICE_*`` environment variables and validated at start-up.

Every variable the application understands is declared once in ``VARIABLES``; an unknown
``EOFFICE_*`` name is treated as a typo and stops start-up, because a silently ignored
production setting (say, a misspelt storage URL) is worse than a refusal to start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from formats.conversion import CONVERTER_MODES


class SettingsError(ValueError):
    """A setting is unknown or malformed; the message is one line naming the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


def _database_url(value: str) -> str:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme == "postgresql":  # the driver we ship is psycopg 3
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if scheme in ("sqlite", "postgresql+psycopg"):
        return value
    raise ValueError("expected sqlite:///PATH or postgresql+psycopg://USER:PASS@HOST/DB")


def _storage_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "file" and (parts.netloc or parts.path):
        return value
    if parts.scheme == "s3" and parts.hostname and parts.path.strip("/"):
        return value
    raise ValueError("expected file://PATH or s3://ACCESS:SECRET@HOST:PORT/BUCKET[?secure=false]")


def _redis_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme in ("redis", "rediss", "unix") and (parts.hostname or parts.path):
        return value
    raise ValueError("expected redis://HOST:PORT/DB")


def _jobs_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme in ("redis", "rediss") and parts.hostname:
        return value
    if parts.scheme == "sqlite" and value.startswith("sqlite:///") and len(value) > 10:
        return value
    raise ValueError("expected redis://HOST:PORT/DB or sqlite:////path/to/jobs.sqlite3")


def _converter(value: str) -> str:
    if value in CONVERTER_MODES:
        return value
    raise ValueError(f"expected one of {', '.join(sorted(CONVERTER_MODES))}")


def _proxy_hops(value: str) -> int:
    hops = int(value)
    if not 0 <= hops <= 5:
        raise ValueError("expected the number of reverse proxies in front, 0 to 5")
    return hops


def _secret_key(value: str) -> str:
    if len(value) < 32:
        raise ValueError("must be at least 32 characters")
    return value


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive whole number")
    return number


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        return value
    raise ValueError("expected an http(s):// URL")


def _public_url(value: str) -> str:
    """Where people reach eoffice; commands build e-mail links from it (they have no request)."""
    parts = urlsplit(value)
    if (
        parts.scheme in ("http", "https")
        and parts.hostname
        and "?" not in value
        and "#" not in value
        and not any(character.isspace() for character in value)
    ):
        _ = parts.port  # raises ValueError on a non-numeric port
        return value.rstrip("/")
    raise ValueError("expected http(s)://HOST[/PREFIX] without ?query or #fragment")


def _smtp_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme in ("smtp", "smtps") and parts.hostname:
        return value
    raise ValueError("expected smtp://[USER:PASS@]HOST:PORT")


def _axis_url(value: str) -> str:
    """The axis endpoint: HTTPS, or plain HTTP to this machine only (a hub beside it, tests)."""
    parts = urlsplit(value)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.hostname and (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        return value.rstrip("/")
    raise ValueError("expected https://HOST[/PATH] (http:// only to 127.0.0.1)")


def _trust_roots(value: str) -> str:
    """A PEM file, or a folder of PEM/DER certificates, that exists now (a typo would silently
    leave every outside signature untrusted)."""
    path = Path(value)
    if path.is_file() or (path.is_dir() and any(p.is_file() for p in path.iterdir())):
        return value
    raise ValueError("expected a PEM file or a folder of .pem/.crt/.cer/.der certificates")


def _log_format(value: str) -> str:
    if value in ("json", "text"):
        return value
    raise ValueError("expected json or text")


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# name -> (attribute on Settings, parser). The single list of what can be configured.
VARIABLES: dict[str, tuple[str, Callable[[str], object]]] = {
    "EOFFICE_DATABASE_URL": ("database_url", _database_url),
    "EOFFICE_STORAGE_URL": ("storage_url", _storage_url),
    "EOFFICE_REDIS_URL": ("redis_url", _redis_url),
    "EOFFICE_SECRET_KEY": ("secret_key", _secret_key),
    "EOFFICE_MAX_UPLOAD_MB": ("max_upload_mb", _positive_int),
    "EOFFICE_SECURE_COOKIES": ("secure_cookies", _boolean),
    "EOFFICE_TSA_URL": ("tsa_url", _http_url),
    "EOFFICE_PKI_DIR": ("pki_dir", _text),
    # The roots signatures must chain to (a licensed CA's); once set, the demo PKI's root is
    # no longer trusted (eoffice/signing_keys/trust.py).
    "EOFFICE_TRUST_ROOTS": ("trust_roots", _trust_roots),
    "EOFFICE_SMTP_URL": ("smtp_url", _smtp_url),
    "EOFFICE_MAIL_FROM": ("mail_from", _text),
    "EOFFICE_TIMEZONE": ("timezone", _text),
    "EOFFICE_PUBLIC_URL": ("public_url", _public_url),
    "EOFFICE_SQLITE_WRITE_WAIT_SECONDS": ("sqlite_write_wait_seconds", _positive_int),
    "EOFFICE_JOBS_URL": ("jobs_url", _jobs_url),
    # Read by formats.conversion itself (a framework-free library); validated here.
    "EOFFICE_CONVERTER": ("converter", _converter),
    # Read by the signing library: the passphrase that encrypts the PKI's private keys at rest
    # (signing/pki.py), and the file of the command line's wrong-PIN counters
    # (`python -m signing`). Listed so that setting them never stops the app.
    "EOFFICE_PKI_PASSPHRASE": ("pki_passphrase", _text),
    "EOFFICE_PIN_STATE": ("pin_state", _text),
    "EOFFICE_TRUSTED_PROXIES": ("trusted_proxies", _proxy_hops),
    # Exchange with other installations through the national axis or a province's hub
    # (eoffice/exchange/axis); EOFFICE_HUB=1 makes this installation serve as such a hub.
    "EOFFICE_AXIS_URL": ("axis_url", _axis_url),
    "EOFFICE_AXIS_SYSTEM_ID": ("axis_system_id", _text),
    "EOFFICE_AXIS_SECRET": ("axis_secret", _text),
    "EOFFICE_AXIS_CAFILE": ("axis_cafile", _text),
    "EOFFICE_HUB": ("hub", _boolean),
    # `flask backup create/verify/restore`: encrypts the PKI and the secret key in a backup.
    "EOFFICE_BACKUP_PASSPHRASE": ("backup_passphrase", _text),
    # Observability (eoffice/request_log.py): log lines as JSON (default) or text; unhandled
    # errors to a Sentry-compatible server when a DSN is given.
    "EOFFICE_LOG_FORMAT": ("log_format", _log_format),
    "EOFFICE_SENTRY_DSN": ("sentry_dsn", _http_url),
}

# Read by the test-suite and benchmarks, never by the app; listed so they are not "unknown".
TOOLING_VARIABLES = frozenset(
    {"EOFFICE_TEST_DATABASE_URL", "EOFFICE_TEST_REDIS_URL", "EOFFICE_BENCH_DATABASE_URL",
     "EOFFICE_TEST_WORKERS"}
)

# Read by one command's option (click's ``envvar``), never by the app: an operator who exports
# one before running that command must not find the app refusing to start.
COMMAND_VARIABLES = frozenset(
    {"EOFFICE_EXCHANGE_P12_PASSPHRASE"}  # flask exchange set-certificate --passphrase
)


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment, already validated."""

    instance_path: Path
    database_url: str = ""
    storage_url: str = ""
    secret_key: str = ""
    redis_url: str | None = None
    max_upload_mb: int = 50
    secure_cookies: bool = False
    tsa_url: str | None = None
    pki_dir: str | None = None
    #: Trusted roots for signatures (file or folder); None: the demo PKI's root only.
    trust_roots: str | None = None
    smtp_url: str | None = None
    mail_from: str = "eoffice@localhost"
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str | None = None
    #: SQLite only: how long a request waits for its turn to write before it answers 503.
    sqlite_write_wait_seconds: int = 20
    #: The job queue's broker; default: EOFFICE_REDIS_URL if set, else instance/jobs.sqlite3.
    jobs_url: str | None = None
    #: DOCX→PDF: "warm" (LibreOffice kept running through unoserver) or "oneshot".
    converter: str = "warm"
    pki_passphrase: str | None = field(default=None, repr=False)
    pin_state: str | None = None
    #: Reverse proxies in front (nginx: 1) whose X-Forwarded-For/Proto/Host/Prefix are trusted.
    trusted_proxies: int = 0
    #: The axis (or hub) endpoint, this installation's system id and secret there, and a CA
    #: file for a hub with a private certificate; all unset: no exchange beyond this
    #: installation.
    axis_url: str | None = None
    axis_system_id: str | None = None
    axis_secret: str | None = field(default=None, repr=False)
    axis_cafile: str | None = None
    #: Serve the axis operations to other installations (eoffice/exchange/axis/hub_views.py).
    hub: bool = False
    #: Encrypts the PKI folder and the secret key inside backups (else asked for at the prompt).
    backup_passphrase: str | None = field(default=None, repr=False)
    #: "json" (one object per line, with the request id) or "text".
    log_format: str = "json"
    #: Where unhandled errors are reported (Sentry or compatible); None: nowhere.
    sentry_dsn: str | None = field(default=None, repr=False)
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def from_env(
        cls, instance_path: Path, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``), then apply ``overrides``.

        Defaults are the embedded ones so that ``make run`` works on any machine: SQLite and a
        local object folder under ``instance/``, and a secret key generated once and kept there.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, raw in environ.items():
            if (not name.startswith("EOFFICE_") or name in TOOLING_VARIABLES
                    or name in COMMAND_VARIABLES):
                continue
            if name not in VARIABLES:
                raise SettingsError(name, "unknown setting (check the spelling; see README)")
            attribute, parse = VARIABLES[name]
            try:
                values[attribute] = parse(raw)
            except ValueError as error:
                raise SettingsError(name, str(error) or "malformed value") from None
        values.update(overrides)
        instance_path = Path(instance_path)
        values.setdefault("database_url", f"sqlite:///{instance_path / 'eoffice.sqlite3'}")
        values.setdefault("storage_url", f"file://{instance_path / 'objects'}")
        if "secret_key" not in values:
            values["secret_key"] = _instance_secret_key(instance_path)
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(str(values.get("timezone", "Asia/Ho_Chi_Minh")))
        except Exception:
            raise SettingsError("EOFFICE_TIMEZONE", "unknown time zone") from None
        return cls(instance_path=instance_path, **values)  # type: ignore[arg-type]


def _instance_secret_key(instance_path: Path) -> str:
    """Generate the secret key once and keep it, so sessions survive a restart."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
