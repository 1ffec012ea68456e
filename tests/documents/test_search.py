"""Search finds documents with or without diacritics, with filters and paging, on both DBs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select, text

from eoffice.documents.search import (
    IndexEntry,
    SearchQuery,
    extract_pdf_text,
    index_document,
    remove_document,
    search,
    search_words,
)
from eoffice.documents.search_models import DocumentSearch
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from formats.conversion import Converter
from formats.drafting import build_draft_docx
from tests.formats.samples import DECISION


@pytest.fixture()
def org(app: Flask) -> Iterator[tuple[int, int]]:
    with app.app_context():
        ours = Organisation(organ_id="000.00.00.H41", name="Ủy ban nhân dân tỉnh Hòa Bình",
                            abbreviation="UBND", place="Hòa Bình")
        other = Organisation(organ_id="000.00.00.H42", name="Ủy ban nhân dân tỉnh Sơn La",
                             abbreviation="UBND", place="Sơn La")
        db.session.add_all([ours, other])
        db.session.commit()
        yield ours.id, other.id


def _entries(org_id: int, other_id: int) -> list[IndexEntry]:
    return [
        IndexEntry(1, org_id, "outgoing", "Về việc ban hành Quy chế công tác văn thư",
                   register_kind="outgoing", doc_type="QĐ", type_name="Quyết định",
                   number_notation="15/QĐ-UBND", status="issued", unit_id=10,
                   document_date=date(2026, 2, 5), signer="Nguyễn Văn Đức",
                   body_text="Điều 1. Ban hành kèm theo Quyết định này Quy chế."),
        IndexEntry(2, org_id, "incoming", "Đề nghị thanh toán hợp đồng thuê xe",
                   register_kind="incoming", doc_type="", type_name="Công văn",
                   number_notation="12/STC-QLNS", status="in_progress", unit_id=11,
                   document_date=date(2026, 1, 20), organ_name="Sở Tài chính",
                   body_text="Căn cứ hợp đồng số 05/2026/HĐ ký ngày 02/01/2026."),
        IndexEntry(3, org_id, "outgoing", "Kế hoạch phòng chống lụt bão năm 2026",
                   register_kind="outgoing", doc_type="KH", type_name="Kế hoạch",
                   number_notation="07/KH-UBND", status="draft", unit_id=10,
                   document_date=None),
        IndexEntry(4, other_id, "outgoing", "Quyết định của tỉnh khác về văn thư",
                   register_kind="outgoing", doc_type="QĐ", type_name="Quyết định",
                   number_notation="15/QĐ-UBND", status="issued",
                   document_date=date(2026, 2, 5)),
    ]


@pytest.fixture()
def indexed(app: Flask, org: tuple[int, int]) -> Iterator[int]:
    org_id, other_id = org
    with app.app_context():
        for entry in _entries(org_id, other_id):
            index_document(entry)
        db.session.commit()
        yield org_id


def _ids(org_id: int, **kw: object) -> list[int]:
    return search(SearchQuery(organisation_id=org_id, **kw)).ids  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quyet dinh", [1]),
        ("Quyết định", [1]),
        ("QUYẾT ĐỊNH", [1]),
        ("hop dong", [2]),           # body text and subject, đ folded
        ("Hợp đồng thuê xe", [2]),
        ("15/QĐ-UBND", [1]),          # number and notation, punctuation ignored
        ("qd ubnd", [1]),
        ("nguyen van duc", [1]),      # signer
        ("so tai chinh", [2]),        # author (issuing body)
        ("lut bao", [3]),
        ("ban hanh kem the", [1]),    # the last word may be a prefix (typing in progress)
        ("van th", []),               # ...but not a one- or two-letter one
        ("cong tac van thu", [1]),
        ("xe lửa", []),
        ("", [1, 2, 3]),              # no text: everything of the organisation, newest first
    ],
)
def test_accent_insensitive_text_search(app: Flask, indexed: int, query: str,
                                        expected: list[int]) -> None:
    with app.app_context():
        assert _ids(indexed, text=query) == expected


def test_filters_combine_with_text(app: Flask, indexed: int) -> None:
    with app.app_context():
        assert _ids(indexed, direction="incoming") == [2]
        assert _ids(indexed, doc_types=["QĐ", "KH"]) == [1, 3]
        assert _ids(indexed, doc_types=[""]) == [2]  # công văn
        assert _ids(indexed, register_kinds=["outgoing"], text="ke hoach") == [3]
        assert _ids(indexed, statuses=["issued", "in_progress"]) == [1, 2]
        assert _ids(indexed, unit_ids=[10]) == [1, 3]
        assert _ids(indexed, date_from=date(2026, 2, 1)) == [1]
        assert _ids(indexed, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)) == [2]
        assert _ids(indexed, text="van thu", statuses=["draft"]) == []


def test_visible_ids_restrict_inside_the_query(app: Flask, indexed: int) -> None:
    with app.app_context():
        visible = select(DocumentSearch.document_id).where(DocumentSearch.document_id != 1)
        page = search(SearchQuery(organisation_id=indexed, visible_ids=visible))
        assert page.ids == [2, 3] and page.total == 2


def test_paging_and_total(app: Flask, org: tuple[int, int]) -> None:
    org_id, _ = org
    with app.app_context():
        for n in range(1, 26):
            index_document(IndexEntry(100 + n, org_id, "outgoing", f"Thông báo kết luận số {n}",
                                      document_date=date(2026, 3, n)))
        db.session.commit()
        first = search(SearchQuery(org_id, text="thong bao", per_page=10))
        third = search(SearchQuery(org_id, text="thong bao", per_page=10, page=3))
        assert first.total == third.total == 25 and first.pages == 3
        assert first.ids == list(range(125, 115, -1))
        assert third.ids == list(range(105, 100, -1))
        beyond = search(SearchQuery(org_id, text="thong bao", per_page=10, page=4))
        assert beyond.ids == [] and beyond.total == 25
        assert search(SearchQuery(org_id, text="khong co")).total == 0


def test_reindex_replaces_text_and_remove_drops(app: Flask, indexed: int) -> None:
    with app.app_context():
        entry = IndexEntry(3, indexed, "outgoing", "Kế hoạch chuyển đổi số năm 2026",
                           doc_type="KH", status="issued", document_date=date(2026, 3, 1))
        index_document(entry)
        db.session.commit()
        assert _ids(indexed, text="lut bao") == []
        assert _ids(indexed, text="chuyen doi so") == [3]
        remove_document(3)
        remove_document(999)  # unknown ids are fine
        db.session.commit()
        assert _ids(indexed, text="chuyen doi so") == []
        assert _ids(indexed) == [1, 2]


def test_rollback_leaves_index_untouched(app: Flask, indexed: int) -> None:
    with app.app_context():
        index_document(IndexEntry(50, indexed, "outgoing", "Tờ trình xin ý kiến"))
        assert _ids(indexed, text="to trinh") == [50]
        db.session.rollback()
        assert _ids(indexed, text="to trinh") == []


def test_fulltext_machinery_exists_per_backend(app: Flask, indexed: int) -> None:
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            rows = db.session.execute(text(
                "SELECT rowid FROM document_search_fts WHERE document_search_fts MATCH 'hop'"
            )).scalars().all()
            assert rows == [2]
        else:
            plan = "\n".join(db.session.execute(text(
                "EXPLAIN SELECT document_id FROM document_search WHERE "
                "search_vector @@ to_tsquery('simple', 'hop')"
            )).scalars())
            assert "ix_document_search_fulltext" in plan or "Seq Scan" in plan
            names = db.session.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'document_search'"
            )).scalars().all()
            assert "ix_document_search_fulltext" in names


def test_pdf_body_text_is_searchable(app: Flask, org: tuple[int, int],
                                     converter: Converter) -> None:
    pdf = converter.docx_to_pdf(build_draft_docx(DECISION))
    body = extract_pdf_text(pdf)
    assert "Nghị định số 30/2020/NĐ-CP" in body
    org_id, _ = org
    with app.app_context():
        index_document(IndexEntry(7, org_id, "outgoing", DECISION.subject, body_text=body))
        db.session.commit()
        assert _ids(org_id, text="nghi dinh 30 2020 nd cp") == [7]
        assert _ids(org_id, text="chinh quyen dia phuong") == [7]


def test_unreadable_pdf_has_no_text() -> None:
    assert extract_pdf_text(b"%PDF-1.7 garbage") == ""


def test_search_words_split_like_both_databases() -> None:
    assert search_words("Số: 15/QĐ-UBND ngày 05/02/2026") == [
        "so", "15", "qd", "ubnd", "ngay", "05", "02", "2026"]
    assert search_words("under_score") == ["under", "score"]
