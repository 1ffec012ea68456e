"""Module entries in the top navigation, registered by each module at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from eoffice.accounts.models import User


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    visible: Callable[[User], bool] = lambda _user: True


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


_entries: list[NavEntry] = []


def register_nav(entry: NavEntry) -> None:
    if all(existing.endpoint != entry.endpoint for existing in _entries):
        _entries.append(entry)


def nav_for(user: User) -> list[NavLink]:
    return [NavLink(e.label, url_for(e.endpoint)) for e in _entries if e.visible(user)]
