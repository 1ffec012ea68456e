"""The installation's PKI directory and its embedded demo PKI (with its own TSA)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

import signing

_pki_lock = threading.Lock()
_pki_cache: dict[str, signing.DemoPKI] = {}


def pki_dir() -> Path:
    settings = current_app.config["EOFFICE_SETTINGS"]
    return Path(settings.pki_dir) if settings.pki_dir else settings.instance_path / "pki"


def demo_pki() -> signing.DemoPKI:
    """The embedded PKI, created on first use (one per directory, shared by threads)."""
    directory = pki_dir()
    key = str(directory)
    with _pki_lock:
        if key not in _pki_cache:
            if (directory / "root.pem").exists():
                _pki_cache[key] = signing.DemoPKI.open(directory)
            else:
                _pki_cache[key] = signing.DemoPKI.init(directory, org="eOffice demo")
        return _pki_cache[key]
