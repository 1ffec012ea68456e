"""The directory of organisations clerks pick recipients from: every organisation of this
installation plus the external agencies (``DirectoryOrgan``), one list, searched without
regard to diacritics.

An OrganId present on both sides is the installation's own organisation: a national list
imported as CSV usually names the installation's members too, and delivery to them stays
inside the installation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from eoffice.extensions import db
from eoffice.organisation.models import DirectoryOrgan, Organisation
from formats.folding import fold_vi

__all__ = [
    "ORGAN_ID",
    "DirectoryEntry",
    "find_organ",
    "normalise_organ_id",
    "search_directory",
    "search_text_for",
]

#: The edXML OrganId shape (QCVN 102:2016, national agency codes): ``000.00.00.H41``.
ORGAN_ID = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}$")

MAX_LIMIT = 200


@dataclass(frozen=True)
class DirectoryEntry:
    """One organisation a document can be addressed to. ``internal``: an organisation of
    this installation (``organisation_id`` is then its id; delivery stays inside)."""

    organ_id: str
    name: str
    parent_organ_id: str | None
    internal: bool
    organisation_id: int | None
    # Contact details for edXML OrganInfo (OrganAdd, Email, Telephone), empty when unknown.
    address: str = ""
    email: str = ""
    telephone: str = ""


def normalise_organ_id(value: str) -> str | None:
    """``value`` as an OrganId (trimmed, upper case), or None when it has not the shape
    ``000.00.00.H41``."""
    candidate = value.strip().upper()
    return candidate if ORGAN_ID.match(candidate) else None


def search_text_for(organ_id: str, name: str) -> str:
    """What a directory line is searched by (stored in ``DirectoryOrgan.search_text``)."""
    return fold_vi(f"{organ_id} {name}")[:300]


def _internal_entry(organisation: Organisation, parents: dict[int, str]) -> DirectoryEntry:
    return DirectoryEntry(
        organ_id=organisation.organ_id,
        name=organisation.name,
        parent_organ_id=parents.get(organisation.parent_id) if organisation.parent_id else None,
        internal=True,
        organisation_id=organisation.id,
        address=organisation.address,
        email=organisation.email,
        telephone=organisation.telephone,
    )


def _external_entry(organ: DirectoryOrgan) -> DirectoryEntry:
    return DirectoryEntry(
        organ_id=organ.organ_id,
        name=organ.name,
        parent_organ_id=organ.parent_organ_id,
        internal=False,
        organisation_id=None,
        address=organ.address,
        email=organ.email,
        telephone=organ.telephone,
    )


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_directory(query: str = "", *, limit: int = 50) -> list[DirectoryEntry]:
    """Organisations whose name or OrganId contains every word of ``query`` (diacritics and
    case ignored: "so tai chinh" finds "Sở Tài chính"); the installation's own first, then
    external ones, each by name; at most ``limit`` (1…200)."""
    limit = max(1, min(limit, MAX_LIMIT))
    words = fold_vi(query).split()
    # The installation's organisations are few (tens, a few hundred): folded here.
    organisations = db.session.execute(select(Organisation)).scalars().all()
    parents = {o.id: o.organ_id for o in organisations}
    internal = sorted(
        (o for o in organisations
         if all(w in search_text_for(o.organ_id, o.name) for w in words)),
        key=lambda o: fold_vi(o.name),
    )
    entries = [_internal_entry(o, parents) for o in internal[:limit]]
    if len(entries) >= limit:
        return entries
    # External agencies may be the whole national list (thousands): searched in the
    # database over their stored folded text.
    statement = select(DirectoryOrgan).order_by(DirectoryOrgan.name, DirectoryOrgan.organ_id)
    for word in words:
        statement = statement.where(
            DirectoryOrgan.search_text.like(_like_pattern(word), escape="\\"))
    own = set(parents.values())
    if own:
        statement = statement.where(DirectoryOrgan.organ_id.not_in(own))
    statement = statement.limit(limit - len(entries))
    entries += [_external_entry(o) for o in db.session.execute(statement).scalars()]
    return entries


def find_organ(organ_id: str) -> DirectoryEntry | None:
    """The directory's entry for ``organ_id`` (the installation's own organisation first),
    or None when the OrganId is unknown."""
    wanted = {organ_id.strip(), organ_id.strip().upper()}
    organisation = db.session.execute(
        select(Organisation).where(Organisation.organ_id.in_(wanted))
    ).scalars().first()
    if organisation is not None:
        parents: dict[int, str] = {}
        if organisation.parent is not None:
            parents[organisation.parent.id] = organisation.parent.organ_id
        return _internal_entry(organisation, parents)
    organ = db.session.execute(
        select(DirectoryOrgan).where(DirectoryOrgan.organ_id.in_(wanted))
    ).scalars().first()
    return _external_entry(organ) if organ is not None else None
