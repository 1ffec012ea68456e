"""Computing reports: SQL aggregates over the indexed facts, never Python loops over events.

One grouped query per source (work items, event subjects) gives every count per person; the
medians and P90s come from ``percentile_cont`` on PostgreSQL and from window functions
(``ROW_NUMBER``/``COUNT`` over the person) on SQLite, with the same linear interpolation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import Float, Integer, Select, and_, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from eoffice.accounts.models import UnitMembership, User
from eoffice.audit.models import Event
from eoffice.audit.phrases import SYSTEM, phrase
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.reports.chain import ChainStatus, chain_status
from eoffice.reports.figures import BY_KEY, FIGURES, Figure, Period, Window, anchor_range
from eoffice.reports.links import name_for
from eoffice.reports.models import EventSubject as ES
from eoffice.reports.models import WorkItem as W
from eoffice.reports.scope import unit_subtree_ids
from eoffice.timestamps import utcnow

HOURS = {"duration_s", "open_delay_s"}
SUBJECT_ACTIONS = ("draft_returned", "extension_requested", "task_rated")


@dataclass
class PersonRow:
    user_id: int
    full_name: str
    figures: dict[str, float | int | None]


@dataclass
class Report:
    subject_kind: str  # person | unit | organisation
    subject_id: int
    title: str
    period: Period
    figures: dict[str, float | int | None]
    people: list[PersonRow] = field(default_factory=list)
    monthly: list[dict[str, Any]] = field(default_factory=list)
    chain: ChainStatus | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": {"kind": self.subject_kind, "id": self.subject_id, "title": self.title},
            "period": {"start": self.period.first.isoformat(), "end": self.period.last.isoformat()},
            "figures": [
                {"key": f.key, "label": f.label, "value": self.figures.get(f.key), "unit": f.unit}
                for f in FIGURES
            ],
            "people": [
                {"user_id": row.user_id, "full_name": row.full_name, "figures": row.figures}
                for row in self.people
            ],
            "monthly": self.monthly,
            "chain": None if self.chain is None else self.chain.as_json(),
        }


def _window(period: Period) -> Window:
    return Window(period.start, period.end, min(period.end, utcnow()))


def _round(value: Any, figure: Figure) -> float | int | None:
    if value is None:
        return None
    if figure.stat in ("count", "sum"):
        return int(value)
    if figure.value_column in HOURS:
        return round(float(value) / 3600, 2)
    return round(float(value), 2)


def _people_filter(column: Any, user_ids: Select[Any] | list[int]) -> ColumnElement[bool]:
    return column.in_(user_ids)


def _counts(source: str, user_ids: Any, window: Window) -> dict[int, dict[str, Any]]:
    """Every count (and the rating sums) per person: one grouped query per anchor, each a range
    scan of that anchor's covering index."""
    figures = [f for f in FIGURES if f.source == source and f.stat in ("count", "sum", "avg")]
    model = W if source == "work" else ES
    result: dict[int, dict[str, Any]] = {}
    for anchor in dict.fromkeys(f.anchor for f in figures):
        columns: list[Any] = []
        for figure in (f for f in figures if f.anchor == anchor):
            condition = figure.condition(window)
            if figure.stat == "count":
                columns.append(func.sum(case((condition, 1), else_=0)).label(figure.key))
            elif figure.stat == "sum":
                value = getattr(model, figure.value_column or "")
                columns.append(func.sum(case((condition, value), else_=0)).label(figure.key))
            else:
                value = getattr(model, figure.value_column or "")
                columns.append(
                    func.sum(case((condition, value), else_=None)).label(figure.key + "_sum")
                )
                columns.append(func.sum(case((and_(condition, value.is_not(None)), 1), else_=0))
                               .label(figure.key + "_n"))
        where = anchor_range(anchor, window)
        if source == "subject":
            where = and_(where, ES.action.in_(SUBJECT_ACTIONS))
        query = (select(model.user_id, *columns)
                 .where(_people_filter(model.user_id, user_ids), where)
                 .group_by(model.user_id))
        for row in db.session.execute(query):
            values = row._asdict()
            result.setdefault(values.pop("user_id"), {}).update(values)
    return result


def _percentiles(
    figure_keys: list[str], user_ids: Any, window: Window, *, per_person: bool
) -> dict[int | None, dict[str, float | None]]:
    """The median/P90 figures sharing one condition, per person or over everyone."""
    first = BY_KEY[figure_keys[0]]
    value = getattr(W, first.value_column or "")
    group = W.user_id if per_person else literal(0)
    fractions = {key: 0.5 if BY_KEY[key].stat == "median" else 0.9 for key in figure_keys}
    base_where = and_(_people_filter(W.user_id, user_ids), anchor_range(first.anchor, window),
                      first.condition(window), value.is_not(None))
    dialect = db.session.get_bind().dialect.name
    result: dict[int | None, dict[str, float | None]] = {}
    if dialect == "postgresql":
        columns = [func.percentile_cont(frac).within_group(value).label(key)
                   for key, frac in fractions.items()]
        query = select(group.label("g"), *columns).where(base_where).group_by(group)
    else:
        inner = select(group.label("g"), value.label("v")).where(base_where).subquery()
        ranked = select(
            inner.c.g, inner.c.v,
            func.row_number().over(partition_by=inner.c.g, order_by=inner.c.v).label("rn"),
            func.count().over(partition_by=inner.c.g).label("n"),
        ).subquery()
        columns = []
        for key, frac in fractions.items():
            position = 1 + frac * (ranked.c.n - 1)
            low = cast(position, Integer)  # SQLite's CAST truncates: floor for positives
            v_low = func.max(case((ranked.c.rn == low, ranked.c.v), else_=None))
            v_high = func.max(case((ranked.c.rn == low + 1, ranked.c.v), else_=None))
            share = func.max(cast(position, Float) - low)
            columns.append((v_low + func.coalesce(share * (v_high - v_low), 0)).label(key))
        query = select(ranked.c.g, *columns).group_by(ranked.c.g)
    for row in db.session.execute(query):
        result[None if not per_person else row.g] = {
            key: getattr(row, key) for key in figure_keys
        }
    return result


PERCENTILE_GROUPS = [
    ["processing_median_h", "processing_p90_h"],
    ["first_open_median_h"],
    ["signing_median_h", "signing_p90_h"],
]


def _assemble(counts: dict[str, Any], percentiles: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for figure in FIGURES:
        if figure.stat in ("count", "sum"):
            figures[figure.key] = int(counts.get(figure.key) or 0)
        elif figure.stat == "avg":
            total, n = counts.get(figure.key + "_sum"), counts.get(figure.key + "_n") or 0
            figures[figure.key] = _round(total / n, figure) if n else None
        else:
            figures[figure.key] = _round(percentiles.get(figure.key), figure)
    return figures


def _sum_counts(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for row in rows:
        for key, value in row.items():
            if key != "user_id" and value is not None:
                total[key] = total.get(key, 0) + value
    return total


def _monthly(user_ids: Any, window: Window) -> list[dict[str, Any]]:
    """Documents and tasks finished per (Vietnam) month, on time and late, for the chart."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        month = func.to_char(W.ended_at + func.make_interval(0, 0, 0, 0, 7), "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", W.ended_at, "+7 hours")
    query = (
        select(
            month.label("month"),
            func.sum(case((W.outcome == "on_time", 1), else_=0)).label("on_time"),
            func.sum(case((W.outcome == "late", 1), else_=0)).label("late"),
        )
        .where(_people_filter(W.user_id, user_ids), W.kind.in_(["document", "task"]),
               W.ended_at >= window.start, W.ended_at < window.end)  # the "ended" index
        .group_by(month).order_by(month)
    )
    return [{"month": r.month, "on_time": int(r.on_time), "late": int(r.late)}
            for r in db.session.execute(query)]


def person_report(person: User, period: Period, *, with_chain: bool = True) -> Report:
    window = _window(period)
    ids = [person.id]
    counts = {**_counts("work", ids, window).get(person.id, {}),
              **_counts("subject", ids, window).get(person.id, {})}
    percentiles: dict[str, Any] = {}
    for keys in PERCENTILE_GROUPS:
        percentiles.update(_percentiles(keys, ids, window, per_person=False).get(None, {}))
    return Report(
        "person", person.id, person.full_name, period, _assemble(counts, percentiles),
        monthly=_monthly(ids, window), chain=chain_status() if with_chain else None,
    )


def unit_member_ids(unit: Unit) -> Select[Any]:
    return select(UnitMembership.user_id).where(
        UnitMembership.unit_id.in_(sorted(unit_subtree_ids(unit)))
    )


def unit_report(unit: Unit, period: Period, *, with_chain: bool = True) -> Report:
    return _group_report("unit", unit.id, unit.name, unit_member_ids(unit), period,
                         with_chain=with_chain)


def organisation_member_ids(organisation_id: int) -> Select[Any]:
    return select(User.id).where(User.organisation_id == organisation_id)


def organisation_report(organisation: Any, period: Period, *, with_chain: bool = True
                        ) -> Report:
    """The whole organisation: everyone's figures, for a manager who oversees it all."""
    return _group_report("organisation", organisation.id, f"Toàn cơ quan: {organisation.name}",
                         organisation_member_ids(organisation.id), period,
                         with_chain=with_chain)


def _group_report(kind: str, subject_id: int, title: str, ids: Select[Any], period: Period,
                  *, with_chain: bool) -> Report:
    window = _window(period)
    work, subject = _counts("work", ids, window), _counts("subject", ids, window)
    total_percentiles: dict[str, Any] = {}
    person_percentiles: dict[int, dict[str, Any]] = {}
    for keys in PERCENTILE_GROUPS:
        total_percentiles.update(_percentiles(keys, ids, window, per_person=False).get(None, {}))
        for user_id, values in _percentiles(keys, ids, window, per_person=True).items():
            person_percentiles.setdefault(int(user_id or 0), {}).update(values)
    members = db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(ids)).order_by(User.full_name)
    ).all()
    people = []
    for member in members:
        counts = {**work.get(member.id, {}), **subject.get(member.id, {})}
        figures = _assemble(counts, person_percentiles.get(member.id, {}))
        people.append(PersonRow(member.id, member.full_name, figures))
    totals = _sum_counts([*work.values(), *subject.values()])
    return Report(
        kind, subject_id, title, period, _assemble(totals, total_percentiles), people,
        monthly=_monthly(ids, window), chain=chain_status() if with_chain else None,
    )


def _event_page(event_id: int) -> str | None:
    """The report's own page about an event (for a reader who may not open the object)."""
    try:
        return url_for("reports.event", event_id=event_id)
    except RuntimeError:  # computed outside a request (a command, a test): no link
        return None


@dataclass(frozen=True)
class EvidenceRow:
    event_id: int
    occurred_at: datetime
    action: str
    actor: str
    person: str
    object_kind: str
    object_id: str
    url: str | None
    deadline: datetime | None = None
    outcome: str | None = None
    value: float | None = None  # hours for durations, points for ratings
    object_name: str = ""  # "Văn bản đến số 7 — Về việc …", never an id
    what: str = ""  # the act in Vietnamese ("chỉ đạo")

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id, "occurred_at": self.occurred_at.isoformat(),
            "action": self.action, "actor": self.actor, "person": self.person,
            "object_kind": self.object_kind, "object_id": self.object_id, "url": self.url,
            "object_name": self.object_name, "what": self.what,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "outcome": self.outcome, "value": self.value,
        }


def evidence(
    figure: Figure, user_ids: Any, period: Period, limit: int = 5000, viewer: Any = None
) -> list[EvidenceRow]:
    """The events behind a figure: one row per counted item, with time, the object's name and
    a link that ``viewer`` can open (the object's page, or the report's page about the event
    when they may see the figure but not the object)."""
    window = _window(period)
    actor = User.__table__.alias("actor")
    person = User.__table__.alias("person")
    # The actor as recorded at the time (a later rename does not rewrite the evidence);
    # events from before the snapshot existed fall back to the account's current name.
    acted_as = func.coalesce(Event.actor_name, actor.c.full_name).label("actor")
    if figure.source == "work":
        event_id = getattr(W, figure.evidence_event)
        value = getattr(W, figure.value_column) if figure.value_column else literal(None)
        query = (
            select(Event.id, Event.occurred_at, Event.action, Event.object_kind, Event.object_id,
                   acted_as, person.c.full_name.label("person"),
                   W.deadline, W.outcome, value.label("value"))
            .select_from(W).join(Event, Event.id == event_id)
            .join(person, person.c.id == W.user_id)
            .outerjoin(actor, actor.c.id == Event.actor_id)
            .where(_people_filter(W.user_id, user_ids), figure.condition(window))
        )
    else:
        query = (
            select(Event.id, Event.occurred_at, Event.action, Event.object_kind, Event.object_id,
                   acted_as, person.c.full_name.label("person"),
                   literal(None).label("deadline"), literal(None).label("outcome"),
                   ES.value.label("value"))
            .select_from(ES).join(Event, Event.id == ES.event_id)
            .join(person, person.c.id == ES.user_id)
            .outerjoin(actor, actor.c.id == Event.actor_id)
            .where(_people_filter(ES.user_id, user_ids), figure.condition(window))
        )
    rows = db.session.execute(query.order_by(Event.occurred_at, Event.id).limit(limit)).all()
    result = []
    for row in rows:
        raw = row.value
        if raw is None:
            shown = None
        elif figure.value_column in HOURS:
            shown = round(raw / 3600, 2)
        else:
            shown = int(raw) if figure.stat == "sum" else float(raw)
        deadline = row.deadline
        if isinstance(deadline, str):  # a literal NULL column comes back untyped
            deadline = None
        named = name_for(row.object_kind, row.object_id, viewer)
        result.append(EvidenceRow(
            row.id, row.occurred_at, row.action, row.actor or SYSTEM, row.person,
            row.object_kind, row.object_id,
            named.url or _event_page(row.id),
            deadline, row.outcome, shown, named.label, phrase(row.action, row.object_kind),
        ))
    return result
