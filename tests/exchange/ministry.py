"""A ministry outside the province sending to this installation through its own hub: the
sender, its packages, and the app served as hub and installation in one (a province running
its own hub). Shared by the poll tests; the ``installation`` fixture is offered to every test
of tests/exchange by its conftest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.demo import DEMO_ORGAN_ID, seed_demo
from eoffice.documents.models import Direction, Document
from eoffice.exchange.axis import hub
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.ports import MessageKind, OutgoingMessage, install_remote_transport
from eoffice.extensions import db
from formats import edxml
from tests.conftest import _wipe, make_app
from tests.documents.conftest import make_pdf
from tests.services.live_server import serve

SENDER = edxml.OrganInfo(organ_id="000.00.00.G22", organ_name="Bộ Kế hoạch và Đầu tư")
OURS = edxml.OrganInfo(organ_id=DEMO_ORGAN_ID, organ_name="Ủy ban nhân dân tỉnh Hòa Bình")


def package(number: str) -> bytes:
    message = edxml.EdxmlMessage(
        from_org=SENDER, to_orgs=(OURS,), code_number=number, code_notation="BKHĐT-VP",
        place="Hà Nội", promulgation_date=date(2026, 3, 1), document_type=2,
        type_name="Công văn", subject=f"Về việc báo cáo đầu tư công số {number}",
        signer=edxml.SignerInfo("KT. BỘ TRƯỞNG", "Thứ trưởng", "Nguyễn Văn A"))
    return edxml.build_package(message, [edxml.Attachment("cv.pdf", "application/pdf",
                                                          make_pdf())])


@pytest.fixture()
def installation(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, AxisClient]]:
    """The app (hub and installation in one) served live, its demo organisation registered
    on its own hub, and a client for the ministry sending to it."""
    application = make_app(tmp_path, database_url, hub=True)
    with application.app_context():
        seed_demo()
        own = hub.register_system("tinh", "Tỉnh Hòa Bình", [(DEMO_ORGAN_ID, "")])
        ministry = hub.register_system("bo", "Bộ KH&ĐT", [(SENDER.organ_id,
                                                            SENDER.organ_name)])
        db.session.commit()
        db.session.remove()
    try:
        with serve(application) as base:
            # What EOFFICE_AXIS_URL/SYSTEM_ID/SECRET install; the port is known only now.
            client = AxisClient(f"{base}/axis", "tinh", own)
            install_remote_transport(application, lambda: client)
            yield application, AxisClient(f"{base}/axis", "bo", ministry)
    finally:
        _wipe(application)


def incoming_subjects(application: Flask) -> list[str]:
    with application.app_context():
        subjects = list(db.session.execute(select(Document.subject).where(
            Document.direction == Direction.INCOMING).order_by(Document.id)).scalars())
        db.session.remove()
    return subjects


def send(ministry: AxisClient, key: str, data: bytes) -> None:
    """The ministry sends ``data`` to this installation's demo organisation (``key``: its
    idempotency key, as a retry would repeat it)."""
    ministry.send(OutgoingMessage(key=key, kind=MessageKind.PACKAGE,
                                  from_organ_id=SENDER.organ_id,
                                  to_organ_ids=(DEMO_ORGAN_ID,), data=data))
