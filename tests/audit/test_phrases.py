"""A document's history reads as plain Vietnamese: who did what, for whom, with the note."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from eoffice.audit.phrases import PHRASES, history, phrase
from eoffice.documents import service
from eoffice.extensions import db
from tests.conftest import login
from tests.documents.conftest import (  # noqa: F401  (ctx: fixture)
    create_incoming,
    create_outgoing,
    ctx,
    user,
)

# What the history must never show: internal event codes or bare ids.
CODES = re.compile(r"\b(received|registered|presented|directed|assigned|progress_reported|"
                   r"completed|commented)\b|#\d|\(\d+\)")


def _handled(app: Flask) -> Any:
    document = create_incoming(subject="Về việc chuẩn bị Tết Nguyên đán")
    clerk, leader, specialist = user("vanthu"), user("chutich"), user("chuyenvien")
    service.present(clerk, document, leader.id)
    deadline = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
    service.direct(leader, document, [service.Handling("lead", user_id=specialist.id,
                                                       deadline=deadline)],
                   "Giao đồng chí Trang chủ trì tham mưu")
    service.report_progress(specialist, document, "Đang tổng hợp ý kiến các phòng")
    db.session.commit()
    return document


def test_history_names_actors_targets_deadlines_and_notes(ctx: Flask) -> None:  # noqa: F811
    document = _handled(ctx)
    lines = [line.sentence for line in history(service.history(document),
                                               service.comments_of(document))]
    leader, specialist = user("chutich").full_name, user("chuyenvien").full_name
    clerk = user("vanthu").full_name
    assert lines[0] == f"{clerk} tiếp nhận văn bản"
    assert lines[1] == f"{clerk} vào sổ văn bản đến, số đến {document.arrival_number}"
    assert lines[2] == f"{clerk} trình lãnh đạo cho {leader}"
    # The direction's opinion joins the act it explains, with the person and deadline.
    assert lines[3] == (f"{leader} chỉ đạo, giao {specialist}, hạn 15/01/2027: "
                        "Giao đồng chí Trang chủ trì tham mưu")
    assert lines[4] == f"{leader} giao chủ trì xử lý {specialist}, hạn 15/01/2027"
    # The progress note was written just before the act it records: still one line.
    assert lines[5] == f"{specialist} ghi tiến độ xử lý: Đang tổng hợp ý kiến các phòng"
    assert len(lines) == 6
    assert not any(CODES.search(line) for line in lines)


def test_the_page_shows_the_plain_history(app: Flask, demo: None, client: Any) -> None:
    with app.app_context():
        document_id = _handled(app).id
        leader = user("chutich").full_name
        db.session.remove()
    login(client, "vanthu")
    html = client.get(f"/documents/incoming/{document_id}").get_data(as_text=True)
    section = html[html.index("Lịch sử xử lý"):]
    assert f"{leader} chỉ đạo" in section
    assert "Giao đồng chí Trang chủ trì tham mưu" in section
    assert "progress_reported" not in section and "registered" not in section


def test_every_recorded_kind_has_a_phrase() -> None:
    """Each event kind named in the events contract reads as Vietnamese, never as its code."""
    contract = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
    table = contract[contract.index("| object_kind"):contract.index("How reports read")]
    kinds = set()
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.split("|")]
        if len(cells) > 2 and not cells[2].startswith("("):
            kinds.update(k.strip() for k in cells[2].split(","))
    missing = {k for k in kinds if k and k not in PHRASES}
    assert missing == set()
    assert phrase("something_new") == "thực hiện thao tác"


def test_a_draft_returned_with_its_reason_reads_as_one_line(ctx: Flask) -> None:  # noqa: F811
    document = create_outgoing(subject="Về việc tổ chức hội nghị tổng kết")
    reviewer, drafter = user("truongphong"), user("chuyenvien")
    service.act(reviewer, document, "return", "Bổ sung số liệu quý IV")
    db.session.commit()
    lines = [line.sentence for line in history(service.history(document),
                                               service.comments_of(document))]
    assert lines == [
        f"{drafter.full_name} tạo dự thảo, gửi {reviewer.full_name}",
        f"{reviewer.full_name} trả lại dự thảo để sửa: Bổ sung số liệu quý IV",
    ]
