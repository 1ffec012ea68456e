"""Known events produce exactly the expected figures, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import Flask

from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.reports import service
from eoffice.reports.figures import BY_KEY, FIGURES, Period
from eoffice.timestamps import VIETNAM
from tests.reports.scenario import seed_may_2026, use_clock, user

MAY = Period(date(2026, 5, 1), date(2026, 5, 31))


def test_person_figures_for_a_known_month(
    app: Flask, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        scenario = seed_may_2026(use_clock(monkeypatch))
        assert scenario.d1_deadline == datetime(2026, 5, 4, 23, 59, 59, tzinfo=VIETNAM)
        monkeypatch.undo()
        staff = service.person_report(user("chuyenvien"), MAY).figures
        assert staff["docs_received"] == 1  # only 104 arrived in May
        assert staff["docs_handled"] == 2
        assert staff["docs_on_time"] == 1 and staff["docs_late"] == 1
        assert staff["docs_late_days"] == 1  # due Mon 4/5, done Tue 5/5
        assert staff["docs_overdue_open"] == 1
        assert staff["processing_median_h"] == 256.0
        assert staff["processing_p90_h"] == 263.2
        assert staff["first_open_median_h"] is None  # 101 was first opened in April
        assert staff["drafts_returned"] == 1
        assert (staff["meetings_attended"], staff["meetings_excused"],
                staff["meetings_absent"]) == (1, 0, 1)
        assert (staff["tasks_done"], staff["tasks_on_time"], staff["tasks_late"]) == (1, 1, 0)
        assert (staff["action_items_done"], staff["action_items_on_time"]) == (1, 0)
        assert staff["extensions_requested"] == 1
        assert staff["ratings_received"] == 1 and staff["rating_avg"] == 4.0

        chair = service.person_report(user("chutich"), MAY)
        assert chair.figures["signatures"] == 2
        assert chair.figures["signing_median_h"] == 1.75
        assert chair.figures["signing_p90_h"] == 2.35
        assert chair.chain is not None and chair.chain.ok


def test_unit_figures_add_up_and_every_count_has_its_evidence(
    app: Flask, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        seed_may_2026(use_clock(monkeypatch))
        monkeypatch.undo()
        unit = user("truongphong").memberships[0].unit
        assert isinstance(unit, Unit) and unit.abbreviation == "KT"
        report = service.unit_report(unit, MAY)
        totals = report.figures
        assert totals["docs_received"] == 2 and totals["docs_handled"] == 3
        assert totals["docs_on_time"] == 2 and totals["docs_late"] == 1
        assert totals["processing_median_h"] == 247.0  # of 4, 247 and 265 hours
        assert totals["processing_p90_h"] == 261.4
        assert totals["first_open_median_h"] == 1.0
        assert totals["meetings_excused"] == 1
        names = {row.full_name: row.figures for row in report.people}
        assert names["Hoàng Văn Nam"]["docs_handled"] == 1
        assert names["Hoàng Văn Nam"]["processing_median_h"] == 4.0
        assert names["Đặng Thu Trang"]["processing_median_h"] == 256.0
        assert sorted(m["month"] for m in report.monthly) == ["2026-05"]

        # The Văn phòng unit includes KT (a sub-unit): its totals contain KT's.
        vp = unit.parent
        assert vp is not None
        assert service.unit_report(vp, MAY).figures["docs_handled"] == 3

        members = service.unit_member_ids(unit)
        for figure in FIGURES:
            rows = service.evidence(figure, members, MAY)
            if figure.stat == "count":
                assert len(rows) == totals[figure.key], figure.key
            if figure.stat == "sum":
                assert sum(row.value or 0 for row in rows) == totals[figure.key], figure.key
            assert all(row.occurred_at >= MAY.start for row in rows if figure.key not in (
                "docs_overdue_open",))

        late = service.evidence(BY_KEY["docs_late"], members, MAY)
        assert [(r.object_kind, r.object_id, r.action, r.actor) for r in late] == [
            ("document", "102", "completed", "Đặng Thu Trang")
        ]
        assert late[0].occurred_at == datetime(2026, 5, 5, 10, tzinfo=VIETNAM)
        assert late[0].deadline == datetime(2026, 5, 4, 23, 59, 59, tzinfo=VIETNAM)


def test_april_excludes_may_work(app: Flask, demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        seed_may_2026(use_clock(monkeypatch))
        monkeypatch.undo()
        april = service.person_report(user("chuyenvien"), Period(date(2026, 4, 1),
                                                                 date(2026, 4, 30)))
        assert april.figures["docs_received"] == 2
        assert april.figures["docs_handled"] == 0
        assert april.figures["first_open_median_h"] == 2.0
        assert april.figures["processing_median_h"] is None


def test_events_as_documents_and_meetings_record_them(
    app: Flask, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents module names no signer or drafter in some events and meetings record the
    roll call as ``checked_in`` with a status; the figures still land on the right people."""
    from eoffice import audit
    from tests.reports.scenario import Clock

    with app.app_context():
        clock = use_clock(monkeypatch)
        assert isinstance(clock, Clock)
        staff, head, chair, secretary = (user("chuyenvien"), user("truongphong"),
                                         user("chutich"), user("thuky"))
        clock.set("2026-06-01 08:00")
        audit.record(staff, "draft_created", "document", 201, direction="outgoing",
                     user_ids=[head.id])
        clock.set("2026-06-01 09:00")
        audit.record(head, "draft_returned", "document", 201, direction="outgoing")
        clock.set("2026-06-02 08:00")
        audit.record(head, "format_approved", "document", 201, direction="outgoing")
        clock.set("2026-06-02 11:00")
        audit.record(chair, "approved", "document", 201, direction="outgoing")
        clock.set("2026-06-02 11:30")
        audit.record(chair, "signed", "document", 201, direction="outgoing")

        clock.set("2026-06-03 08:00")
        audit.record(chair, "invited", "meeting", 9, user_ids=[staff.id, head.id, secretary.id])
        audit.record(head, "delegated", "meeting", 9, user_ids=[chair.id], reason="Bận")
        clock.set("2026-06-05 08:00")
        audit.record(secretary, "checked_in", "meeting", 9, user_ids=[staff.id],
                     status="excused")
        audit.record(secretary, "checked_in", "meeting", 9, user_ids=[secretary.id],
                     status="present")
        audit.record(secretary, "checked_in", "meeting", 9, user_ids=[chair.id],
                     status="present")
        clock.set("2026-06-05 11:00")
        audit.record(secretary, "closed", "meeting", 9)
        db.session.commit()
        monkeypatch.undo()
        june = Period(date(2026, 6, 1), date(2026, 6, 30))
        assert service.person_report(staff, june).figures["drafts_returned"] == 1
        assert service.person_report(staff, june).figures["meetings_excused"] == 1
        chair_figures = service.person_report(chair, june).figures
        assert chair_figures["signatures"] == 1 and chair_figures["signing_median_h"] == 3.5
        assert chair_figures["meetings_attended"] == 1  # came as the head's deputy
        head_figures = service.person_report(head, june).figures
        assert (head_figures["meetings_excused"], head_figures["meetings_absent"]) == (1, 0)
        assert service.person_report(secretary, june).figures["meetings_attended"] == 1
