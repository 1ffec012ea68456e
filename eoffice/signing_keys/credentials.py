"""Who holds which key: each signer's PIN-protected PKCS#12 and the organisation's seal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.exchange_keys import (
    exchange_certificate,
    issue_demo_exchange_certificate,
)
from eoffice.signing_keys.images import ensure_demo_images
from eoffice.signing_keys.pki import demo_pki, pki_dir
from eoffice.signing_keys.remote import link_for_seal, link_for_user

DEMO_PIN = "123456"


def user_p12(user: User) -> Path:
    return pki_dir() / "holders" / f"user-{user.id}.p12"


def seal_p12(organisation: Organisation) -> Path:
    return pki_dir() / "holders" / f"seal-{organisation.id}.p12"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)


def issue_user_certificate(user: User, pin: str) -> None:
    """Issue (or re-issue) a personal signing certificate as a PIN-protected PKCS#12."""
    issued = demo_pki().issue_user(user.full_name, pin, title=user.title or None,
                                   org=user.organisation.name)
    _write_private(user_p12(user), issued.pkcs12)


def issue_seal_certificate(organisation: Organisation, pin: str) -> None:
    issued = demo_pki().issue_seal(organisation.name, pin)
    _write_private(seal_p12(organisation), issued.pkcs12)


def has_user_certificate(user: User) -> bool:
    """A key to sign with: a PKCS#12 of their own or a linked remote credential."""
    return user_p12(user).exists() or link_for_user(user) is not None


def has_seal_certificate(organisation: Organisation) -> bool:
    return seal_p12(organisation).exists() or link_for_seal(organisation) is not None


def ensure_demo_credentials(users: Sequence[User]) -> list[str]:
    """Give demo leaders and meeting secretaries a certificate (leaders sign documents and
    minutes, secretaries sign minutes first) and each organisation its seal (PIN 123456)
    and its exchange certificate (``exchange_keys``); and the images their visible
    signatures show (``images.ensure_demo_images``)."""
    issued: list[str] = []
    for user in users:
        signs = has_role(user, Role.LEADER, Role.MEETING_SECRETARY)
        if signs and Role.ADMIN not in user.roles and \
                not has_user_certificate(user):
            issue_user_certificate(user, DEMO_PIN)
            issued.append(user.username)
        if Role.CLERK in user.roles and not has_seal_certificate(user.organisation):
            issue_seal_certificate(user.organisation, DEMO_PIN)
            issued.append(f"seal:{user.organisation.abbreviation}")
        if Role.CLERK in user.roles and exchange_certificate(user.organisation) is None:
            # The server's key for the organisation's edXML packages (no PIN: the outbox signs).
            issue_demo_exchange_certificate(user.organisation)
            issued.append(f"exchange:{user.organisation.abbreviation}")
    return issued + ensure_demo_images(list(users))
