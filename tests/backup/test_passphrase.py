"""Without EOFFICE_BACKUP_PASSPHRASE the passphrase is asked for (twice when creating), never
echoed; a backup checked with another passphrase is refused, naming the sealed part."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from eoffice import audit
from eoffice.extensions import db


def test_the_passphrase_is_asked_for_and_must_match(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        audit.record(None, "registered", "document", 1)
        db.session.commit()
    runner = app.test_cli_runner()
    backup = tmp_path / "asked"
    created = runner.invoke(args=["backup", "create", str(backup)],
                            input="bí mật dài\nbí mật dài\n")
    assert created.exit_code == 0, created.output
    assert "bí mật dài" not in created.output  # typed, not shown
    checked = runner.invoke(args=["backup", "verify", str(backup)], input="bí mật dài\n")
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output
    wrong = runner.invoke(args=["backup", "verify", str(backup)], input="đoán thử\n")
    assert wrong.exit_code == 1 and "secrets.sealed" in wrong.output, wrong.output
    mismatch = runner.invoke(args=["backup", "create", str(tmp_path / "other")],
                             input="một\nhai\nmột\nmột\n")
    assert mismatch.exit_code == 0, mismatch.output  # asked again until both entries agree
