""""My work" gathers what waits for the user from every module, through registered sections.

Modules (documents, tasks, meetings) register a provider; the page asks each in turn. This keeps
the page free of imports of the modules built on top of ``eoffice`` (meetings in particular).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask

from eoffice.accounts.models import User
from eoffice.extension_points import register, registered


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


def register_section(app: Flask, key: str, provider: SectionProvider) -> None:
    if all(existing != key for existing, _ in registered("my_work", app)):
        register(app, "my_work", (key, provider))


def sections_for(user: User) -> list[WorkSection]:
    """Every module's section, those with something waiting first (in registration order)."""
    sections = [provider(user) for _, provider in registered("my_work")]
    return sorted(sections, key=lambda section: not section.items)
