"""Walk every GET route (and the register exports) as every role and as another
organisation's users; nothing secret and nothing of another organisation leaks out.

What counts as a leak is decided per object by the one access rule (``can_view``): a
subject or a file's bytes may appear in an answer only to a user that rule lets see the
document. The rule itself is pinned by plain facts first (who is named, which organisation),
so this test cannot pass by a rule that lets everyone through. Answers are read the way a
person would: HTML and JSON as text, PDFs through pdftotext, DOCX/XLSX by unzipping.

Issue #17's "done when": on SQLite and PostgreSQL, every route that serves bytes or names
documents, every role, a second organisation — no secret subject, no secret byte, no other
organisation's data; and no answer is a 500.

Issue #12 adds a finer oracle beside it: of an issued document, someone who sees it only as a
recipient (``recipient_view.sees_whole`` is False) gets the official copy, never a draft
version's bytes, an internal comment or the edXML exchange. That rule too is pinned by plain
facts (who drafted, checked and signed it, who it was delivered to) before it judges.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.passwords import hash_password
from eoffice.accounts.roles import Role
from eoffice.accounts.service import create_user
from eoffice.audit.models import Event
from eoffice.demo import DEMO_ORGAN_ID, DEMO_PASSWORD, DEMO_USERS
from eoffice.documents import service
from eoffice.documents.access import can_view
from eoffice.documents.models import Document
from eoffice.documents.recipient_view import sees_whole
from eoffice.documents.registers import SERIES
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.organisation.organisations import OrganisationDetails, create_organisation
from eoffice.organisation.service import create_unit
from meetings import service as meetings_service
from meetings.models import Meeting
from tests.conftest import csrf_token_from, login
from tests.documents.conftest import create_incoming, create_outgoing, make_pdf, user
from tests.meetings.conftest import Prepared
from tests.services.require import require_executable

#: The demo organisation's users (the walk's first organisation).
PROVINCE_USERS = [u for u in DEMO_USERS if u.organ_id == DEMO_ORGAN_ID]
#: Every protected subject carries this word, so one search query finds them all.
SEARCH_WORD = "KIEMTRAX"
#: Users of the second organisation carry this in their names.
OTHER_ORG_NAME_MARK = "ZETAB"


@dataclass(frozen=True)
class Protected:
    """A document whose subject and bytes only some users may see."""

    label: str
    document_id: int
    subject_token: str
    file_marker: bytes
    file_id: int


@dataclass(frozen=True)
class Drafting:
    """An issued document whose making (draft bytes, comments, edXML) only those who see it
    whole may read; its recipients get ``official_marker``'s copy only."""

    label: str
    document_id: int
    markers: tuple[bytes, ...]  # the draft's PDF, an internal comment, edXML data
    official_marker: bytes


@dataclass
class World:
    protected: list[Protected]
    drafting: list[Drafting]
    ids: dict[str, list[int]]  # URL parameter name -> values to try
    people_a: list[str]  # full names in the demo organisation
    people_b: list[str]  # full names in the second organisation
    users_b: list[str]


def _replace_file(document: Document, marker: str, uploader: str) -> int:
    """Give the document's current version a PDF carrying ``marker`` (a leak is then
    recognisable in any answer)."""
    stored = service.store_file(user(uploader), io.BytesIO(make_pdf(text=marker)),
                                f"{marker.lower()}.pdf", service.PDF_ONLY)
    version = document.current_version
    assert version is not None
    version.file_id = stored.id
    return stored.id


def _issued_to_a_unit() -> tuple[Document, int, int, int]:
    """An outgoing document drafted by chuyenvien (checked by truongphong and vanthu, signed
    by chutich), issued to Phòng Tổng hợp (thuky) and to phochutich by name; its draft
    (version 1), an internal comment, an external recipient and an edXML record carry
    markers only those who see it whole may meet; version 2 is the official copy."""
    from eoffice.documents import exchange
    from eoffice.exchange.recipients import add_recipient

    th = db.session.execute(select(Unit.id).where(Unit.abbreviation == "TH")).scalar_one()
    document = create_outgoing(subject=f"Kế hoạch phát hành {SEARCH_WORD} NOIBO4K",
                               recipient_unit_ids=[th],
                               recipient_user_ids=[user("phochutich").id])
    draft_file = _replace_file(document, "PDFDUTHAO6Y", "chuyenvien")
    service.comment(user("vanthu"), document, "Ý kiến nội bộ YKIEN7N")
    external = add_recipient(user("chuyenvien"), document, "000.00.00.G22", "Bộ NGOAI9Q")
    document.state, document.code_number, document.code_notation = "ORG_SIGNED", 3, "UBND-KT"
    official = service.store_file(user("vanthu"), io.BytesIO(make_pdf(text="PDFCHINHTHUC5M")),
                                  "3-ubnd-kt.pdf", service.PDF_ONLY)
    service.add_version(user("vanthu"), document, official, "org_signed", "Đã ký số cơ quan")
    service.issue(user("vanthu"), document)
    record = exchange.store_record(user("vanthu"), document, "status_in",
                                   b"<edXML>EDXML8P</edXML>", status_code="01",
                                   recipient_id=external.id)
    db.session.commit()
    return document, draft_file, official.id, record.id


def _first_event(document_id: int) -> int:
    return db.session.execute(select(Event.id).where(
        Event.object_kind == "document", Event.object_id == str(document_id)
    ).order_by(Event.id)).scalars().first() or 0


def _build(app: Flask, prepared: Prepared) -> World:
    with app.app_context():
        secret_in = create_incoming(subject=f"Kế hoạch bảo vệ {SEARCH_WORD} MATIN7Q",
                                    secrecy=1, code_number=77)
        secret_in_file = _replace_file(secret_in, "PDFMATIN7Q", "vanthu")
        service.present(user("vanthu"), secret_in, user("chutich").id)
        secret_out = create_outgoing(subject=f"Phương án {SEARCH_WORD} MATOUT9", secrecy=1)
        secret_out_file = _replace_file(secret_out, "PDFMATOUT9", "chuyenvien")
        normal = create_incoming(subject=f"Báo cáo thường {SEARCH_WORD} THUONG5",
                                 code_number=78)
        normal_file = normal.current_version.file_id
        issued, issued_draft, issued_official, issued_record = _issued_to_a_unit()
        meeting = db.session.get(Meeting, prepared.meeting_id)
        attached = meetings_service.attach_existing(user("chutich"), meeting.items[0],
                                                    secret_in_file, "Tài liệu họp")
        db.session.commit()

        # The second organisation is made as a super-administrator makes one (its registers
        # come with it), under the province: a parent sees nothing of its children either.
        other = create_organisation(None, OrganisationDetails(
            organ_id="000.00.00.G02", name="Sở Tư pháp", abbreviation="STP", place="Hòa Bình",
            parent_organ_id=DEMO_ORGAN_ID))
        unit_b = create_unit(None, other, name="Phòng Hành chính", abbreviation="HC")
        shared = hash_password(DEMO_PASSWORD)
        accounts = [("b_vanthu", Role.CLERK), ("b_lanhdao", Role.LEADER),
                    ("b_chuyenvien", Role.SPECIALIST), ("b_admin", Role.ADMIN)]
        for username, role in accounts:
            create_user(None, username=username, full_name=f"Người {OTHER_ORG_NAME_MARK} "
                        f"{username}", password="", password_hash=shared,
                        organisation_id=other.id, roles=[role], unit_ids=[unit_b.id])
        db.session.commit()
        b_doc = create_incoming(subject=f"Hồ sơ Sở Tư pháp {SEARCH_WORD} SOTUPHAP3",
                                clerk="b_vanthu", code_number=5)
        b_file = _replace_file(b_doc, "PDFSOTUPHAP3", "b_vanthu")
        service.present(user("b_vanthu"), b_doc, user("b_lanhdao").id)
        db.session.commit()

        # A job the clerk started about the secret document (its params name it).
        from eoffice.jobs import submit

        job = submit("mail", "walk:mail", requested_by=user("vanthu"),
                     params={"to": "lan@hoabinh.gov.vn", "subject": "MATIN7Q", "body": ""})
        db.session.commit()
        unit_a = db.session.execute(select(Unit.id).where(
            Unit.organisation_id == secret_in.organisation_id)).scalars().first()
        world = World(
            protected=[
                Protected("secret incoming", secret_in.id, "MATIN7Q", b"PDFMATIN7Q",
                          secret_in_file),
                Protected("secret outgoing draft", secret_out.id, "MATOUT9", b"PDFMATOUT9",
                          secret_out_file),
                Protected("ordinary incoming", normal.id, "THUONG5", b"", normal_file),
                Protected("other organisation's incoming", b_doc.id, "SOTUPHAP3",
                          b"PDFSOTUPHAP3", b_file),
                Protected("issued outgoing", issued.id, "NOIBO4K", b"PDFDUTHAO6Y",
                          issued_draft),
            ],
            drafting=[Drafting("issued outgoing", issued.id,
                               (b"PDFDUTHAO6Y", b"YKIEN7N", b"EDXML8P", b"NGOAI9Q"),
                               b"PDFCHINHTHUC5M")],
            ids={
                "document_id": [secret_in.id, secret_out.id, normal.id, b_doc.id, issued.id],
                "file_id": [secret_in_file, secret_out_file, normal_file, b_file,
                            issued_draft, issued_official],
                "meeting_id": [prepared.meeting_id],
                "user_id": [user("chutich").id, user("b_lanhdao").id],
                "unit_id": [unit_a, unit_b.id],
                "number": [1, 2],
                "record_id": sorted({1, issued_record}),
                "task_id": [1],
                "case_file_id": [1],
                "job_id": [job.id],
                "fmt": ["csv", "xlsx"],
                "organisation_id": [secret_in.organisation_id, other.id],
                # An event of each organisation's documents (reports' drill-down).
                "event_id": [_first_event(secret_in.id), _first_event(b_doc.id)],
            },
            people_a=[u.full_name for u in PROVINCE_USERS],
            people_b=[f"Người {OTHER_ORG_NAME_MARK} {name}" for name, _ in accounts],
            users_b=[name for name, _ in accounts],
        )
        # Meeting documents are addressed within their meeting.
        world.ids["meeting_document_id"] = [attached.id, prepared.document_id]
        return world


def _urls(app: Flask, world: World) -> Iterator[str]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or \
                "_unknown" in rule.arguments:
            continue
        names = sorted(rule.arguments)
        if not names:
            yield rule.rule
            yield f"{rule.rule}?q={SEARCH_WORD}"  # lists and searches, filtered by a query
            continue
        choices = []
        for name in names:
            key = "meeting_document_id" if (rule.endpoint == "meetings.document_file"
                                            and name == "document_id") else name
            assert key in world.ids, f"no values to try for <{name}> in {rule.rule}"
            choices.append(world.ids[key])
        for values in itertools.product(*choices):
            path = rule.rule
            for name, value in zip(names, values, strict=True):
                path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
            yield path


def _readable(data: bytes) -> list[bytes]:
    """The answer as a person would read it: PDFs as their text, office files unzipped."""
    parts = [data]
    if data.startswith(b"%PDF"):
        text = subprocess.run(["pdftotext", "-q", "-", "-"], input=data, capture_output=True,
                              timeout=60).stdout
        parts.append(text)
    elif data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts.extend(archive.read(name) for name in archive.namelist())
    return parts


def _forms(name: str) -> list[bytes]:
    """A name as it can appear: raw UTF-8, HTML-escaped or JSON-escaped."""
    return [name.encode(), json.dumps(name)[1:-1].encode()]


def _register_exports(app: Flask, client: FlaskClient) -> Iterator[tuple[str, bytes, int]]:
    """Each register printed (a job), then downloaded as the clerk would from /jobs."""
    from eoffice.jobs import queue

    token = csrf_token_from(client.get("/documents/registers").get_data(as_text=True))
    for series in SERIES:
        answer = client.post("/documents/registers", data={
            "series": series, "start": "2020-01-01", "end": "2030-12-31", "format": "docx",
            "csrf_token": token})
        yield f"POST /documents/registers {series}", answer.data, answer.status_code
        with app.app_context():
            queue.drain()
        job = client.get("/api/v1/jobs").get_json()["items"][0]
        printed = client.get(f"/files/{job['result']['file_id']}/download")
        yield f"printed register {series}", printed.data, printed.status_code


@dataclass
class Walk:
    problems: list[str]
    requests: int
    seen: set[str]  # tokens of protected documents this user found in some answer


def _walk_as(app: Flask, world: World, username: str) -> Walk:
    """Every answer ``username`` gets; what leaked, and what the user did see."""
    client = app.test_client()
    login(client, username)
    with app.app_context():
        viewer = db.session.execute(select(User).where(User.username == username)).scalar_one()
        hidden = [p for p in world.protected
                  if not can_view(viewer, db.session.get(Document, p.document_id))]
        # The finer oracle: the making of a document is for those who see it whole.
        unmade = [d for d in world.drafting if not (
            can_view(viewer, document := db.session.get(Document, d.document_id))
            and sees_whole(viewer, document))]
        in_b = username in world.users_b
        super_admin = Role.SUPER_ADMIN.value in {r.value for r in viewer.roles}
    foreign_people = [] if super_admin else (world.people_a if in_b else world.people_b)
    walk = Walk([], 0, set())
    problems = walk.problems

    def check(what: str, data: bytes, status: int) -> None:
        walk.requests += 1
        # The readiness probe says 503 where no job worker runs (as here): an answer, not a
        # failure; its body is still read below.
        probe = status == 503 and "/api/v1/health/ready" in what
        if status >= 500 and not probe:
            problems.append(f"{username}: {what} answered {status}")
            return
        readable = _readable(data)
        walk.seen.update(p.subject_token for p in world.protected
                         if any(p.subject_token.encode() in part for part in readable))
        walk.seen.update(marker.decode() for d in world.drafting
                         for marker in (*d.markers, d.official_marker)
                         if any(marker in part for part in readable))
        for item in unmade:
            for marker in item.markers:
                if any(marker in part for part in readable):
                    problems.append(f"{username}: {what} shows the {item.label}'s making "
                                    f"({marker.decode()})")
        for item in hidden:
            if any(item.subject_token.encode() in part for part in readable):
                problems.append(f"{username}: {what} names the {item.label}")
            if item.file_marker and any(item.file_marker in part for part in readable):
                problems.append(f"{username}: {what} serves the {item.label}'s bytes")
        for name in foreign_people:
            if any(form in part for part in readable for form in _forms(name)):
                problems.append(f"{username}: {what} names {name} (another organisation)")

    for url in _urls(app, world):
        answer = client.get(url)
        check(f"GET {url}", answer.data, answer.status_code)
    if username in ("vanthu", "b_vanthu"):
        for what, data, status in _register_exports(app, client):
            check(what, data, status)
    return walk


def _pin_the_rule(app: Flask, world: World) -> None:
    """The oracle is checked against plain facts before it judges any answer."""
    by_label = {p.label: p for p in world.protected}
    expected = {
        "secret incoming": {"vanthu", "chutich"},
        "secret outgoing draft": {"chuyenvien", "truongphong", "vanthu", "chutich"},
        "other organisation's incoming": {"b_vanthu", "b_lanhdao"},
    }
    with app.app_context():
        everyone = db.session.execute(select(User)).scalars().all()
        for label, allowed in expected.items():
            document = db.session.get(Document, by_label[label].document_id)
            seeing = {u.username for u in everyone if can_view(u, document)}
            assert seeing == allowed, f"{label}: {sorted(seeing)}"
        # Of the issued document: who sees it at all, and who sees its making.
        issued = db.session.get(Document, world.drafting[0].document_id)
        seeing = {u.username for u in everyone if can_view(u, issued)}
        assert seeing == {"chuyenvien", "truongphong", "vanthu", "chutich", "phochutich",
                          "thuky"}, sorted(seeing)
        whole = {u.username for u in everyone if can_view(u, issued) and sees_whole(u, issued)}
        assert whole == {"chuyenvien", "truongphong", "vanthu", "chutich"}, sorted(whole)
        ordinary = db.session.get(Document, by_label["ordinary incoming"].document_id)
        assert not any(can_view(db.session.execute(select(User).where(
            User.username == name)).scalar_one(), ordinary) for name in world.users_b)


def test_no_route_leaks_secret_or_other_organisations_data(
    mapp: Flask, prepared: Prepared
) -> None:
    require_executable("pdftotext", "Debian package poppler-utils")
    world = _build(mapp, prepared)
    _pin_the_rule(mapp, world)
    usernames = [u.username for u in PROVINCE_USERS] + world.users_b
    problems: list[str] = []
    walks = {}
    for username in usernames:
        walks[username] = _walk_as(mapp, world, username)
        problems.extend(walks[username].problems)
    assert problems == [], "\n".join(sorted(set(problems))[:60])
    # The walk really looked: those the rule lets see a document found its subject.
    assert "MATIN7Q" in walks["chutich"].seen
    assert {"MATIN7Q", "THUONG5"} <= walks["vanthu"].seen
    assert "MATOUT9" in walks["chuyenvien"].seen
    assert "SOTUPHAP3" in walks["b_vanthu"].seen
    # Recipients found the issued document and its official copy; its makers its drafts.
    for recipient in ("thuky", "phochutich"):
        assert {"NOIBO4K", "PDFCHINHTHUC5M"} <= walks[recipient].seen, recipient
    assert {"PDFDUTHAO6Y", "YKIEN7N", "EDXML8P", "NGOAI9Q"} <= walks["chuyenvien"].seen
    assert min(w.requests for w in walks.values()) > 60


