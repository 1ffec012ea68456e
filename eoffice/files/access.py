"""Who may see a stored file: the one permission check for files, used by pages and the API.

Other modules (documents, meetings) attach files to their own objects; they register a rule
here saying "this user may see this file because of my object", so the check stays in one
place and ``eoffice`` needs no import of the modules built on top of it.
"""

from __future__ import annotations

from collections.abc import Callable

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.files.models import StoredFile

FileRule = Callable[[User, StoredFile], bool]
_rules: list[FileRule] = []
_vetoes: list[FileRule] = []  # "must not see", e.g. files of a secret document


def register_file_rule(rule: FileRule) -> None:
    if rule not in _rules:
        _rules.append(rule)


def register_file_veto(veto: FileRule) -> None:
    if veto not in _vetoes:
        _vetoes.append(veto)


def can_view_file(user: User, stored: StoredFile) -> bool:
    if not user.is_authenticated:
        return False
    if any(veto(user, stored) for veto in _vetoes):
        return False
    if stored.uploaded_by_id == user.id:
        return True
    if has_role(user, Role.ADMIN) and stored.uploaded_by.organisation_id == user.organisation_id:
        return True
    return any(rule(user, stored) for rule in _rules)
