"""Module entries in the top navigation, registered by each module at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, url_for

from eoffice.accounts.models import User
from eoffice.extension_points import register, registered


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    visible: Callable[[User], bool] = lambda _user: True


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


def register_nav(app: Flask, entry: NavEntry) -> None:
    if all(existing.endpoint != entry.endpoint for existing in registered("nav", app)):
        register(app, "nav", entry)


def nav_for(user: User) -> list[NavLink]:
    return [NavLink(e.label, url_for(e.endpoint)) for e in registered("nav") if e.visible(user)]
