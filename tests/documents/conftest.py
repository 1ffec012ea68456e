"""Fixtures for the documents tests: demo people, PDFs, and documents in any state."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfWriter
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.extensions import db
from tests.services.browser import browser  # noqa: F401
from tests.services.libreoffice import converter, soffice  # noqa: F401  (search tests)


def make_pdf(pages: int = 1, text: str = "") -> bytes:
    """A small valid A4 PDF (pypdf writes it; the content check parses it)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if text:
        writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


@pytest.fixture()
def ctx(app: Flask, demo: None) -> Any:
    """An application context with the demo organisation seeded."""
    with app.app_context():
        yield app
        db.session.remove()


def create_outgoing(**overrides: Any) -> Any:
    """An outgoing draft by chuyenvien (reviewer truongphong, checker vanthu, signer
    chutich); keyword arguments override the draft's fields. Needs an app context."""
    from eoffice.documents import service

    drafter = user(overrides.pop("drafter", "chuyenvien"))
    fields: dict[str, Any] = {
        "subject": "Về việc triển khai phần mềm quản lý văn bản",
        "type_code": "",
        "reviewer_id": user("truongphong").id,
        "checker_id": user("vanthu").id,
        "signer_id": user("chutich").id,
    }
    fields.update(overrides)
    stored = service.store_file(drafter, io.BytesIO(make_pdf()), "du-thao.pdf")
    result = service.create_outgoing(drafter, service.OutgoingDraft(**fields), stored)
    db.session.commit()
    return result.document


def create_incoming(**overrides: Any) -> Any:
    """An incoming document registered by vanthu. Needs an app context."""
    from eoffice.documents import service

    clerk = user(overrides.pop("clerk", "vanthu"))
    fields: dict[str, Any] = {
        "subject": "Về việc báo cáo tình hình kinh tế quý IV",
        "organ_name": "Bộ Kế hoạch và Đầu tư",
        "code_number": 15,
        "code_notation": "BKHĐT-VP",
    }
    fields.update(overrides)
    stored = service.store_file(clerk, io.BytesIO(make_pdf()), "den.pdf", service.PDF_ONLY)
    result = service.register_incoming(clerk, service.IncomingMetadata(**fields), stored)
    db.session.commit()
    return result.document


@pytest.fixture()
def new_outgoing(ctx: Flask) -> Callable[..., Any]:
    return create_outgoing


@pytest.fixture()
def new_incoming(ctx: Flask) -> Callable[..., Any]:
    return create_incoming
