"""Updates sent before an update was recorded once (``0024_document_updates``) were known only
from their outbox rows: the migration makes one record of each, with the outbox's number (so a
later update never reuses a key) and its reason, and the agencies reached by hand are owed them
as before."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask import Flask
from sqlalchemy import delete, select

from eoffice.documents.common import comment
from eoffice.documents.models import Document
from eoffice.exchange import handling, manual
from eoffice.exchange.manual_models import DocumentUpdate
from eoffice.exchange.models import BUSINESS_UPDATE
from eoffice.exchange.outbox import queue_business, sent_to
from eoffice.extensions import db
from formats import edxml
from tests.documents.conftest import user
from tests.exchange.conftest import DEPARTMENT, DISTRICT, run_jobs
from tests.exchange.test_manual_business import UNCONNECTED, _issued, _manual

MIGRATION = (Path(__file__).parents[2] / "migrations" / "versions"
             / "0024_document_updates.py")


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("m0024", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _old_update(document: Document, number: int, reason: str) -> None:
    """What ``send_update`` did before 0024: a note, one outbox row per electronic recipient
    numbered by the rows before it, the reason on the row until it is sent."""
    comment(user("vanthu"), document, f"Cập nhật thông tin văn bản: {reason}")
    db.session.flush()
    for recipient in sent_to(document):
        dispatch = queue_business(user("vanthu"), document, recipient, BUSINESS_UPDATE,
                                  f":{number}")
        dispatch.reason = reason


def test_updates_known_from_the_outbox_become_records(xctx: Flask) -> None:
    document = _issued(DEPARTMENT, DISTRICT, UNCONNECTED)
    _old_update(document, 1, "Bổ sung trích yếu")
    db.session.commit()
    run_jobs()  # sent: the row's reason is now the outcome, the note keeps it
    _old_update(document, 3, "Rút gọn trích yếu")  # still queued
    db.session.commit()
    db.session.execute(delete(DocumentUpdate))  # as before the table existed
    db.session.commit()

    with db.engine.begin() as connection, Operations.context(
            MigrationContext.configure(connection)):
        _migration()._backfill()
    db.session.expire_all()
    records = db.session.execute(select(DocumentUpdate).where(
        DocumentUpdate.document_id == document.id)
        .order_by(DocumentUpdate.number)).scalars().all()
    assert [(r.number, r.reason) for r in records] == [
        (1, "Bổ sung trích yếu"), (3, "Rút gọn trích yếu")]

    recipient = _manual(document)
    assert [(o.label, o.sequence) for o in manual.owed_to(document, recipient)] == [
        ("Cập nhật lần 1", 1), ("Cập nhật lần 2", 3)]
    package = manual.export_business(user("vanthu"), document, recipient.id, 2, 1)
    db.session.commit()
    assert edxml.parse_package(package.data).message.business.reason == "Bổ sung trích yếu"
    # The next update takes a number no key has had.
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán năm 2027", "", None,
                         "Sửa hạn")
    db.session.commit()
    assert [(o.label, o.sequence) for o in manual.owed_to(document, recipient)][-1] == (
        "Cập nhật lần 3", 4)
