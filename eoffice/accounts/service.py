"""Account actions: authenticate, create and update users. Each records an audit event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import session as flask_session
from sqlalchemy import func, select

from eoffice import audit
from eoffice.accounts import sessions, throttle, tokens
from eoffice.accounts.models import UnitMembership, User, UserRole
from eoffice.accounts.passwords import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.organisation.models import Unit


class AccountError(ValueError):
    """A refused account action; the message is Vietnamese and shown to the user as is."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_until: datetime | None = None


def authenticate(username: str, password: str, client: str = "") -> LoginResult:
    """Check credentials under the throttle (see ``throttle``: per name from this address,
    per address, per name); a success clears this address's failures for the name."""
    username = username.strip()
    lock = throttle.locked_until(username, client)
    if lock is not None:
        return LoginResult(None, lock)
    user = db.session.execute(
        select(User).where(func.lower(User.username) == username.lower())
    ).scalar_one_or_none()
    if user is None:
        verify_password(DUMMY_HASH, password)
        return LoginResult(None, throttle.register_failure(username, client))
    if not verify_password(user.password_hash, password) or not user.active:
        audit.record(user, "login_failed", "user", user.id)
        db.session.flush()
        return LoginResult(None, throttle.register_failure(username, client))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.clear(username, client)
    audit.record(user, "login", "user", user.id)
    db.session.commit()
    return LoginResult(user)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")


def _check_units(organisation_id: int, unit_ids: Iterable[int]) -> list[Unit]:
    units = [db.session.get(Unit, unit_id) for unit_id in unit_ids]
    if any(unit is None or unit.organisation_id != organisation_id for unit in units):
        raise AccountError("Đơn vị không hợp lệ.")
    return [unit for unit in units if unit is not None]


def create_user(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    password: str,
    organisation_id: int,
    roles: Iterable[Role] = (),
    unit_ids: Iterable[int] = (),
    head_of_unit_ids: Iterable[int] = (),
    position_id: int | None = None,
    email: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a user. ``password_hash`` (argon2) may replace ``password`` for bulk imports."""
    _check_grantable(actor, set(roles), set())
    username = username.strip()
    if not username or not full_name.strip():
        raise AccountError("Tên đăng nhập và họ tên là bắt buộc.")
    taken = db.session.execute(
        select(User.id).where(func.lower(User.username) == username.lower())
    ).first()
    if taken:
        raise AccountError("Tên đăng nhập đã tồn tại.")
    if password_hash is None:
        _check_password(password)
        password_hash = hash_password(password)
    elif not password_hash.startswith("$argon2"):
        raise AccountError("Mã băm mật khẩu không hợp lệ.")
    head_ids = set(head_of_unit_ids)
    units = _check_units(organisation_id, set(unit_ids) | head_ids)
    user = User(
        username=username,
        full_name=full_name.strip(),
        password_hash=password_hash,
        organisation_id=organisation_id,
        position_id=position_id,
        email=email or None,
    )
    user.role_rows = [UserRole(role=Role(role).value) for role in set(roles)]
    user.memberships = [UnitMembership(unit=u, is_head=u.id in head_ids) for u in units]
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor, "user_created", "user", user.id,
        username=username, roles=sorted(r.value for r in user.roles),
    )
    return user


def update_user(
    actor: User,
    user: User,
    *,
    full_name: str,
    roles: Iterable[Role],
    unit_ids: Iterable[int],
    head_of_unit_ids: Iterable[int] = (),
    position_id: int | None,
    active: bool,
    email: str | None = None,
    new_password: str | None = None,
) -> None:
    roles = set(roles)
    if Role.SUPER_ADMIN not in actor.roles and Role.SUPER_ADMIN in user.roles:
        # An organisation admin's form cannot show the installation-wide role: keep it.
        roles.add(Role.SUPER_ADMIN)
    if user.id == actor.id and (not active or not roles & {Role.ADMIN, Role.SUPER_ADMIN}):
        raise AccountError("Không thể tự khóa hoặc tự bỏ quyền quản trị của chính mình.")
    _check_grantable(actor, roles, set(user.roles))
    head_ids = set(head_of_unit_ids)
    units = _check_units(user.organisation_id, set(unit_ids) | head_ids)
    user.full_name = full_name.strip() or user.full_name
    user.email = email or None
    user.position_id = position_id
    _sync_roles(user, roles)
    _sync_memberships(user, units, head_ids)
    if user.active != active:
        user.session_version += 1
        sessions.end_all_sessions(user.id)
    user.active = active
    if new_password:
        _check_password(new_password)
        user.password_hash = hash_password(new_password)
        user.session_version += 1
        sessions.end_all_sessions(user.id)
    audit.record(
        actor, "user_updated", "user", user.id,
        roles=sorted(r.value for r in user.roles), active=active,
        password_changed=bool(new_password),
    )


def _check_grantable(actor: User | None, wanted: set[Role], held: set[Role]) -> None:
    """Only a super-administrator gives or takes the installation-wide role: an organisation's
    admin must not be able to raise anyone (themselves included) above their organisation.
    ``actor`` None is the command line, run by the operator."""
    changes_super = (Role.SUPER_ADMIN in wanted) != (Role.SUPER_ADMIN in held)
    if changes_super and actor is not None and Role.SUPER_ADMIN not in actor.roles:
        raise AccountError("Chỉ quản trị toàn hệ thống được cấp hoặc thu hồi vai trò này.")


def _sync_roles(user: User, roles: Iterable[Role]) -> None:
    """Change role rows in place: replacing the list would insert before deleting and clash."""
    wanted = {Role(role).value for role in roles}
    for row in list(user.role_rows):
        if row.role not in wanted:
            user.role_rows.remove(row)
    held = {row.role for row in user.role_rows}
    user.role_rows.extend(UserRole(role=role) for role in sorted(wanted - held))


def _sync_memberships(user: User, units: list[Unit], head_ids: set[int]) -> None:
    wanted = {unit.id: unit for unit in units}
    for membership in list(user.memberships):
        if membership.unit_id not in wanted:
            user.memberships.remove(membership)
        else:
            membership.is_head = membership.unit_id in head_ids
    present = {membership.unit_id for membership in user.memberships}
    user.memberships.extend(
        UnitMembership(unit=unit, is_head=unit_id in head_ids)
        for unit_id, unit in wanted.items()
        if unit_id not in present
    )


#: Where the cookie keeps the server-side session's token.
SESSION_TOKEN_KEY = "eoffice_sid"


def load_session_user(session_id: str) -> User | None:
    """Resolve Flask-Login's stored id ``"<user id>:<session version>"``, and only while the
    server-side session the cookie names is open (``eoffice.accounts.sessions``)."""
    if tokens.bearer_token() is not None:
        return None  # an API call with a token is the token's user only (accounts.tokens)
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    if sessions.open_row(flask_session.get(SESSION_TOKEN_KEY), user.id) is None:
        return None
    return user
