"""Report pages (dashboard, person timeline, evidence, exports, holidays) and the JSON API.

Every handler resolves the subject through ``scope`` (404 for what the viewer may not see), then
asks ``service`` for the one ``Report`` that the page, the exports and the API all render.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role, require_role
from eoffice.accounts.roles import Role
from eoffice.api.openapi import documented
from eoffice.audit.models import Event
from eoffice.audit.phrases import Names, describe
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.reports import exports, scope, service
from eoffice.reports.figures import BY_KEY, FIGURES, PEOPLE_COLUMNS, Period
from eoffice.reports.links import name_for
from eoffice.reports.models import EventSubject, Holiday
from eoffice.timestamps import to_local, utcnow
from eoffice.web.dates import parse_day

bp = Blueprint("reports", __name__, url_prefix="/reports")
api = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")

OUTCOME_LABELS = {"on_time": "Trong hạn", "late": "Quá hạn", "no_deadline": "Không có hạn",
                  "attended": "Có mặt", "excused": "Vắng có lý do", "absent": "Vắng"}


def _period() -> Period:
    today = to_local(utcnow()).date()  # type: ignore[union-attr]
    try:
        first = parse_day(request.args.get("start")) or date(today.year, 1, 1)
        last = parse_day(request.args.get("end")) or today
    except ValueError:
        abort(400, "Ngày không hợp lệ (viết theo dạng dd/mm/yyyy).")
    if last < first or (last - first).days > 3 * 366:
        abort(400, "Kỳ báo cáo không hợp lệ (tối đa 3 năm).")
    return Period(first, last)


def _unit_or_404(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or not scope.can_view_unit(current_user, unit):
        abort(404)
    return unit


def _person_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not scope.can_view_person(current_user, person):
        abort(404)
    return person


WHOLE = "all"  # ``?unit=all``: the whole organisation


def _subject_report(period: Period) -> tuple[service.Report, Any]:
    """The report named by ``?unit=`` (``all`` for the organisation) or ``?person=``, and the
    people it covers."""
    if request.args.get("unit") == WHOLE:
        if not scope.can_view_organisation(current_user):
            abort(404)
        organisation = current_user.organisation
        return (service.organisation_report(organisation, period),
                service.organisation_member_ids(organisation.id))
    if request.args.get("unit"):
        unit = _unit_or_404(request.args.get("unit", type=int) or 0)
        return service.unit_report(unit, period), service.unit_member_ids(unit)
    person = _person_or_404(request.args.get("person", type=int) or current_user.id)
    return service.person_report(person, period), [person.id]


def _query(period: Period, **extra: Any) -> dict[str, Any]:
    return {"start": period.first.isoformat(), "end": period.last.isoformat(), **extra}


@bp.route("/")
@login_required
def dashboard() -> ResponseReturnValue:
    if not scope.can_see_dashboard(current_user):
        return redirect(url_for("reports.person", user_id=current_user.id))
    units = scope.managed_units(current_user)
    if not units:
        return redirect(url_for("reports.person", user_id=current_user.id))
    period = _period()
    whole = scope.can_view_organisation(current_user)
    chosen = request.args.get("unit") or (WHOLE if whole else "")
    if chosen == WHOLE:
        if not whole:
            abort(404)
        unit = None
        report = service.organisation_report(current_user.organisation, period)
    else:
        default = scope.default_unit(current_user, units)
        unit = _unit_or_404(request.args.get("unit", type=int) or (default.id if default else 0))
        report = service.unit_report(unit, period)
    return render_template(
        "reports/dashboard.html", report=report, units=units, unit=unit, period=period,
        whole=whole, figures=FIGURES, people_columns=[BY_KEY[k] for k in PEOPLE_COLUMNS],
        query=_query(period, unit=unit.id if unit else WHOLE),
    )


@bp.route("/me")
@login_required
def me() -> ResponseReturnValue:
    return redirect(url_for("reports.person", user_id=current_user.id, **request.args))


@bp.route("/person/<int:user_id>")
@login_required
def person(user_id: int) -> ResponseReturnValue:
    person = _person_or_404(user_id)
    period = _period()
    report = service.person_report(person, period)
    timeline = db.session.execute(
        select(Event, EventSubject.role)
        .join(EventSubject, EventSubject.event_id == Event.id)
        .where(EventSubject.user_id == person.id, EventSubject.occurred_at >= period.start,
               EventSubject.occurred_at < period.end)
        .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(300)
    ).all()
    names = Names([event for event, _role in timeline])
    lines = [(describe(event, names), role,
              name_for(event.object_kind, event.object_id, current_user), event.id)
             for event, role in timeline]
    return render_template(
        "reports/person.html", report=report, person=person, period=period, figures=FIGURES,
        timeline=lines, query=_query(period, person=person.id),
    )


@bp.route("/evidence")
@login_required
def evidence() -> ResponseReturnValue:
    figure = BY_KEY.get(request.args.get("figure", ""))
    if figure is None:
        abort(404)
    period = _period()
    report, people = _subject_report(period)
    rows = service.evidence(figure, people, period, viewer=current_user)
    if report.subject_kind == "organisation":
        back = url_for("reports.dashboard", **_query(period, unit=WHOLE))
    elif report.subject_kind == "unit":
        back = url_for("reports.dashboard", **_query(period, unit=report.subject_id))
    else:
        back = url_for("reports.person", user_id=report.subject_id, **_query(period))
    return render_template(
        "reports/evidence.html", figure=figure, report=report, rows=rows, period=period,
        outcomes=OUTCOME_LABELS, back=back,
    )


@bp.route("/event/<int:event_id>")
@login_required
def event(event_id: int) -> ResponseReturnValue:
    """What a report's row names, for a reader allowed to see the figure but not the object
    itself (a manager and a document they are not part of): the object's name and its events
    that concern people the reader oversees."""
    row = db.session.get(Event, event_id)
    visible = scope.visible_user_ids(current_user)
    if row is None or not _concerns(row, visible):
        abort(404)
    events = [e for e in db.session.execute(
        select(Event).where(Event.object_kind == row.object_kind,
                            Event.object_id == row.object_id).order_by(Event.id).limit(500)
    ).scalars() if _concerns(e, visible)]
    names = Names(events)
    return render_template(
        "reports/event.html", named=name_for(row.object_kind, row.object_id, current_user),
        line=describe(row, names), lines=[(describe(e, names), e.id == row.id) for e in events],
    )


def _concerns(row: Event, visible: set[int]) -> bool:
    """The event was done by, or for, someone whose figures the reader may see."""
    if row.actor_id in visible:
        return True
    return db.session.execute(
        select(EventSubject.user_id).where(EventSubject.event_id == row.id,
                                           EventSubject.user_id.in_(visible)).limit(1)
    ).first() is not None


@bp.route("/export.<fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    period = _period()
    report, _people = _subject_report(period)
    name = f"bao-cao-{report.subject_kind}-{report.subject_id}-{period.first}-{period.last}"
    if fmt == "csv":
        return Response(exports.to_csv(report), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(
        exports.to_xlsx(report),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


class HolidayForm(FlaskForm):
    day = DateField("Ngày nghỉ", validators=[DataRequired("Cần chọn ngày.")])
    name = StringField("Tên ngày nghỉ", validators=[DataRequired("Cần nhập tên."),
                                                    Length(max=200)])


# Public holidays count for every organisation's deadlines and timeliness, so they are an
# installation-wide setting: organisation admins and managers read them, only the
# super-administrator changes them.
HOLIDAY_READERS = (Role.SUPER_ADMIN, Role.ADMIN, Role.MANAGER)


@bp.route("/holidays", methods=["GET", "POST"])
@require_role(*HOLIDAY_READERS)
def holidays() -> ResponseReturnValue:
    form = HolidayForm()
    can_edit = has_role(current_user, Role.SUPER_ADMIN)
    if request.method == "POST" and not can_edit:
        abort(403)
    if form.validate_on_submit():
        exists = db.session.execute(select(Holiday).where(Holiday.day == form.day.data)).first()
        if exists:
            flash("Ngày này đã có trong danh sách.", "error")
        else:
            holiday = Holiday(day=form.day.data, name=(form.name.data or "").strip())
            db.session.add(holiday)
            db.session.flush()
            audit.record(current_user, "holiday_added", "holiday", holiday.id,
                         day=holiday.day.isoformat(), name=holiday.name)
            db.session.commit()
            flash("Đã thêm ngày nghỉ. Số liệu cũ được tính lại bằng lệnh "
                  "“flask reports rebuild”.", "success")
            return redirect(url_for("reports.holidays"))
    rows = db.session.execute(select(Holiday).order_by(Holiday.day.desc())).scalars().all()
    return render_template("reports/holidays.html", form=form, holidays=rows, can_edit=can_edit)


@bp.post("/holidays/<int:holiday_id>/delete")
@require_role(Role.SUPER_ADMIN)
def delete_holiday(holiday_id: int) -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)
    row = db.session.get(Holiday, holiday_id) or abort(404)
    audit.record(current_user, "holiday_removed", "holiday", row.id, day=row.day.isoformat(),
                 name=row.name)
    db.session.delete(row)
    db.session.commit()
    flash("Đã xóa ngày nghỉ.", "success")
    return redirect(url_for("reports.holidays"))


REPORT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "subject": {"type": "object", "properties": {"kind": {"type": "string"},
                                                 "id": {"type": "integer"},
                                                 "title": {"type": "string"}}},
    "period": {"type": "object", "properties": {"start": {"type": "string", "format": "date"},
                                                "end": {"type": "string", "format": "date"}}},
    "figures": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "label": {"type": "string"},
        "value": {"type": ["number", "null"]}, "unit": {"type": "string"}}}},
    "people": {"type": "array", "items": {"type": "object"}},
    "monthly": {"type": "array", "items": {"type": "object"}},
    "chain": {"type": ["object", "null"]}}}
EVIDENCE_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "figure": {"type": "string"}, "value": {"type": ["number", "null"]},
    "events": {"type": "array", "items": {"type": "object", "properties": {
        "event_id": {"type": "integer"}, "occurred_at": {"type": "string"},
        "action": {"type": "string"}, "actor": {"type": "string"},
        "person": {"type": "string"}, "object_kind": {"type": "string"},
        "object_id": {"type": "string"}, "url": {"type": ["string", "null"]},
        "deadline": {"type": ["string", "null"]}, "outcome": {"type": ["string", "null"]},
        "value": {"type": ["number", "null"]}}}}}}


# ---- JSON API: the same reports ---------------------------------------------------------------

@api.get("/units")
@documented("Các đơn vị người dùng được xem báo cáo", {"type": "object", "properties": {
    "units": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "abbreviation": {"type": "string"}}}}}})
@login_required
def api_units() -> ResponseReturnValue:
    return jsonify(units=[{"id": u.id, "name": u.name, "abbreviation": u.abbreviation}
                          for u in scope.managed_units(current_user)])


@api.get("/units/<int:unit_id>")
@documented("Báo cáo của một đơn vị trong kỳ (start, end: yyyy-mm-dd)", REPORT_SCHEMA,
            errors=(400, 403, 404))
@login_required
def api_unit(unit_id: int) -> ResponseReturnValue:
    return jsonify(service.unit_report(_unit_or_404(unit_id), _period()).as_json())


@api.get("/people/<int:user_id>")
@documented("Báo cáo của một người trong kỳ (start, end: yyyy-mm-dd)", REPORT_SCHEMA,
            errors=(400, 403, 404))
@login_required
def api_person(user_id: int) -> ResponseReturnValue:
    return jsonify(service.person_report(_person_or_404(user_id), _period()).as_json())


@api.get("/evidence")
@documented("Các sự kiện làm nên một chỉ số (figure, start, end, unit hoặc user)",
            EVIDENCE_SCHEMA, errors=(400, 403, 404))
@login_required
def api_evidence() -> ResponseReturnValue:
    figure = BY_KEY.get(request.args.get("figure", ""))
    if figure is None:
        abort(404)
    period = _period()
    report, people = _subject_report(period)
    rows = service.evidence(figure, people, period, viewer=current_user)
    return jsonify(figure=figure.key, value=report.figures.get(figure.key),
                   events=[row.as_json() for row in rows])
