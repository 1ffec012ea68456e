"""Numbers: notation per Decree 30, and gapless unique issue under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from eoffice.documents import numbering
from eoffice.documents.models import Document, DocumentRegister
from eoffice.extensions import db
from eoffice.organisation.models import Organisation, Unit


def test_numbers_below_ten_get_a_leading_zero() -> None:
    assert numbering.format_number(5) == "05"
    assert numbering.format_number(15) == "15"
    assert numbering.format_number(123) == "123"


def test_notation_of_typed_documents_and_cong_van() -> None:
    organisation = Organisation(abbreviation="UBND")
    unit = Unit(abbreviation="VP")
    assert numbering.notation_for(Document(type_code="QĐ"), organisation, unit) == "QĐ-UBND"
    assert numbering.notation_for(Document(type_code=""), organisation, unit) == "UBND-VP"


def test_register_kinds_keep_separate_series() -> None:
    assert numbering.register_kind_for(Document(direction="outgoing", secrecy=0)) == "outgoing"
    assert numbering.register_kind_for(Document(direction="outgoing", secrecy=1)) == "secret"
    assert numbering.register_kind_for(
        Document(direction="outgoing", secrecy=0, is_legal_normative=True, type_code="QĐ")
    ) == "legal:QĐ"
    assert numbering.register_kind_for(Document(direction="incoming", secrecy=0)) == "incoming"
    assert numbering.register_kind_for(
        Document(direction="incoming", secrecy=2)) == "incoming_secret"


def test_fifty_concurrent_takers_get_one_to_fifty_exactly_once(app: Flask, demo: None) -> None:
    with app.app_context():
        organisation_id = db.session.execute(select(Organisation.id)).scalar_one()
    barrier = threading.Barrier(50)
    taken: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                number = numbering.take_number(organisation_id, 2026, "outgoing")
                db.session.commit()
                with lock:
                    taken.append(number)
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(taken) == list(range(1, 51))
    with app.app_context():
        last = db.session.execute(select(DocumentRegister.last_number)).scalar_one()
        assert last == 50
        db.session.remove()


def test_a_rolled_back_number_is_given_back(ctx: Flask) -> None:
    organisation_id = db.session.execute(select(Organisation.id)).scalar_one()
    assert numbering.take_number(organisation_id, 2026, "incoming") == 1
    db.session.commit()
    assert numbering.take_number(organisation_id, 2026, "incoming") == 2
    db.session.rollback()  # the step that wanted number 2 failed
    assert numbering.take_number(organisation_id, 2026, "incoming") == 2
    db.session.commit()
    assert numbering.take_number(organisation_id, 2027, "incoming") == 1  # a new year
    db.session.rollback()


def test_incoming_registration_numbers_continuously(
    new_incoming: Callable[..., Any]
) -> None:
    first = new_incoming()
    second = new_incoming(code_number=16)
    secret = new_incoming(code_number=17, secrecy=1)
    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert secret.arrival_number == 1 and secret.register_kind == "incoming_secret"
