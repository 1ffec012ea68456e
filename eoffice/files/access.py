"""Who may see a stored file: the one permission check for files, used by pages and the API.

Other modules (documents, meetings) attach files to their own objects; they register a rule
here saying "this user may see this file because of my object", so the check stays in one
place and ``eoffice`` needs no import of the modules built on top of it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.extension_points import register, registered
from eoffice.files.models import StoredFile

FileRule = Callable[[User, StoredFile], bool]


def register_file_rule(app: Flask, rule: FileRule) -> None:
    """``rule(user, file)`` True: the user may see the file (through the module's object)."""
    register(app, "file_rules", rule)


def register_file_veto(app: Flask, veto: FileRule) -> None:
    """``veto(user, file)`` True: the user must not see it, whatever else says (secret files)."""
    register(app, "file_vetoes", veto)


def can_view_file(user: User, stored: StoredFile) -> bool:
    if not user.is_authenticated:
        return False
    if any(veto(user, stored) for veto in registered("file_vetoes")):
        return False
    if stored.uploaded_by_id == user.id:
        return True
    if has_role(user, Role.ADMIN) and stored.uploaded_by.organisation_id == user.organisation_id:
        return True
    return any(rule(user, stored) for rule in registered("file_rules"))
