"""Who may see a stored file: the one permission check for files, used by pages and the API.

Other modules (documents, meetings) attach files to their own objects; they register a rule
here saying "this user may see this file because of my object", so the check stays in one
place and ``eoffice`` needs no import of the modules built on top of it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from eoffice.accounts.models import User
from eoffice.extension_points import register, registered
from eoffice.files.models import StoredFile

FileRule = Callable[[User, StoredFile], bool]


def register_file_rule(app: Flask, rule: FileRule) -> None:
    """``rule(user, file)`` True: the user may see the file (through the module's object)."""
    register(app, "file_rules", rule)


def register_file_veto(app: Flask, veto: FileRule) -> None:
    """``veto(user, file)`` True: the user must not see it, whatever else says (secret files)."""
    register(app, "file_vetoes", veto)


def is_vetoed(user: User, stored: StoredFile) -> bool:
    """True when a registered veto withholds ``stored`` from ``user`` (a secret document's
    file for someone not named on it, a revoked document's content for everyone).

    Every route that serves bytes under another object's rules (a meeting's agenda, a task's
    attachments) must ask this too: the object's own rule cannot know the file is secret.
    """
    return any(veto(user, stored) for veto in registered("file_vetoes"))


def can_view_file(user: User, stored: StoredFile) -> bool:
    if not user.is_authenticated:
        return False
    if is_vetoed(user, stored):
        return False
    if stored.uploaded_by_id == user.id:
        return True
    return any(rule(user, stored) for rule in registered("file_rules"))
