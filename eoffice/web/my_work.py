""""My work" gathers what waits for the user from every module, through registered sections.

Modules (documents, tasks, meetings) register a provider; the page asks each in turn. This keeps
the page free of imports of the modules built on top of ``eoffice`` (meetings in particular).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from eoffice.accounts.models import User


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    kind: str
    deadline: datetime | None = None
    urgent: bool = False
    overdue: bool = False
    note: str = ""


@dataclass(frozen=True)
class WorkSection:
    key: str
    title: str
    empty_text: str
    items: list[WorkItem] = field(default_factory=list)


SectionProvider = Callable[[User], WorkSection]
_providers: dict[str, SectionProvider] = {}


def register_section(key: str, provider: SectionProvider) -> None:
    _providers[key] = provider


def sections_for(user: User) -> list[WorkSection]:
    return [provider(user) for provider in _providers.values()]
