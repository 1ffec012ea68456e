"""Opening a signer whose key is held by a remote signing service, and recording what failed.

The signer authorises in the same dialog as for a local key: the PIN field, and an OTP field
when the credential asks for one (SCAL2). The PIN and the OTP stay in the signer's memory
(``signing.remote.RemoteAuthorisation``) and go nowhere else: not the database, not a log.

A failed remote signing changes nothing (the request's transaction is rolled back, the
previous version stays current) and yet the attempt is recorded in the audit trail: the
event is written once the failed transaction has ended (rolled back, or committed by a
caller that carried on, as a batch does), in a session of its own, so it never waits on the
failed transaction's locks and never disappears with its rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asn1crypto import algos
from flask import Flask, current_app
from sqlalchemy import event

import signing
from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.signing_keys.refusals import SigningFailed
from eoffice.signing_keys.remote import RemoteCredentialLink, provider_for
from eoffice.signing_keys.trust import open_document_signer
from signing.remote import (
    RemoteAuthorisation,
    RemoteCredential,
    RemoteCredentialRefused,
    RemoteGrant,
    RemoteGrantExpired,
    RemoteProvider,
    RemoteServiceError,
    RemoteSignatureInvalid,
    RemoteSigner,
    RemoteUnavailable,
    RemoteWrongAuthorisation,
)

#: What the service can do wrong at signing time, as opposed to a fault of the document.
SERVICE_FAULTS = (RemoteWrongAuthorisation, RemoteCredentialRefused, RemoteUnavailable,
                  RemoteServiceError, RemoteSignatureInvalid)


class _AuditedProvider(RemoteProvider):
    """Delegates to the service; each refusal or failure is recorded (without the PIN)."""

    def __init__(self, inner: RemoteProvider, link: RemoteCredentialLink, actor_id: int | None):
        self.inner = inner
        self.link = link
        self.link_id, self.holder = link.id, link.holder
        self.credential_id = link.credential_id
        self.actor_id = actor_id

    def _failed(self, step: str, error: signing.SigningError) -> None:
        record_failed_attempt(self.actor_id, self.link_id, {
            "holder": self.holder, "credential_id": self.credential_id, "step": step,
            "error": error.code, "reason": getattr(error, "reason", None),
            "remaining": getattr(error, "remaining", None)})

    def credential(self) -> RemoteCredential:
        try:
            credential = self.inner.credential()
        except signing.SigningError as error:
            self._failed("credential", error)
            raise
        _refresh_link(self.link, credential)
        return credential

    def authorise(self, credential: RemoteCredential, authorisation: RemoteAuthorisation, *,
                  signatures: int, hashes: Any = None) -> RemoteGrant:
        try:
            return self.inner.authorise(credential, authorisation, signatures=signatures,
                                        hashes=hashes)
        except signing.SigningError as error:
            self._failed("authorise", error)
            raise

    def sign_hashes(self, credential: RemoteCredential, grant: RemoteGrant, hashes: Any,
                    digest_algorithm: str, mechanism: algos.SignedDigestAlgorithm
                    ) -> list[bytes]:
        try:
            return self.inner.sign_hashes(credential, grant, hashes, digest_algorithm,
                                          mechanism)
        except RemoteGrantExpired as error:
            if credential.hash_bound:  # else the signer authorises again and carries on
                self._failed("sign", error)
            raise
        except signing.SigningError as error:
            self._failed("sign", error)
            raise


class _CheckedRemoteSigner(RemoteSigner):
    """Records a returned signature that does not verify (checked in the base class)."""

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        try:
            return await super().async_sign_raw(data, digest_algorithm, dry_run)
        except RemoteSignatureInvalid as error:
            provider = self.provider
            if isinstance(provider, _AuditedProvider):
                provider._failed("verify", error)
            raise


def after_transaction(work: Callable[[], None]) -> None:
    """Run ``work`` (which commits) once the current transaction has ended, however it ends,
    in a session of its own: what it writes neither waits on that transaction's locks nor
    disappears with its rollback."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()
    done = [False]

    def run(*_: object) -> None:
        if done[0]:
            return
        done[0] = True
        # A new application context has a session of its own (Flask-SQLAlchemy scopes
        # sessions by context).
        with app.app_context():
            work()

    if not session.in_transaction():
        run()
        return
    event.listen(session, "after_rollback", run, once=True)
    event.listen(session, "after_commit", run, once=True)


def record_failed_attempt(actor_id: int | None, link_id: int, details: dict[str, Any]) -> None:
    """Append ``remote_signing_failed`` to the audit trail once the current transaction ends."""

    def write() -> None:
        actor = db.session.get(User, actor_id) if actor_id is not None else None
        audit.record(actor, "remote_signing_failed", "remote_credential", link_id, **details)
        db.session.commit()

    after_transaction(write)


def _refresh_link(link: RemoteCredentialLink, credential: RemoteCredential) -> None:
    """Keep what the dialog needs in step with the service: a credential that now asks for an
    OTP (or no longer does) shows the field from the next page on."""
    fresh = (credential.scal, credential.needs_otp, credential.max_signatures)
    if (link.scal, link.needs_otp, link.max_signatures) == fresh:
        return
    link_id = link.id

    def write() -> None:
        row = db.session.get(RemoteCredentialLink, link_id)
        if row is not None:
            row.scal, row.needs_otp, row.max_signatures = fresh
            db.session.commit()

    after_transaction(write)


class RemoteDocumentSigner(signing.DocumentSigner):
    """A ``DocumentSigner`` whose key is remote: a fault of the service while signing (it
    stopped, answered too late, refused the OTP, returned a signature that does not verify)
    is the app's refusal with the service's reason, wherever the signer is used (documents,
    batches, minutes), never an unexpected error."""

    def sign(self, pdf: Any, **kwargs: Any) -> bytes | None:
        try:
            return super().sign(pdf, **kwargs)
        except SERVICE_FAULTS as exc:
            raise SigningFailed(remote_refusal(exc)) from None


def remote_refusal(exc: signing.SigningError) -> str:
    """The sentence a signer reads when the remote service refused or failed."""
    if isinstance(exc, RemoteWrongAuthorisation):
        return f"{exc.message_vi}."
    return f"Ký số từ xa không thực hiện được: {exc.message_vi}."


def open_remote_signer(link: RemoteCredentialLink, actor: User | None, pin: str,
                       otp: str | None = None, *, signatures: int = 1) -> signing.DocumentSigner:
    """A ``DocumentSigner`` over the linked credential; raises ``signing`` errors (wrong PIN
    or OTP with attempts left, refused credential, unreachable or slow service)."""
    provider = _AuditedProvider(provider_for(link), link, actor.id if actor else None)
    remote = _CheckedRemoteSigner(provider, RemoteAuthorisation(pin=pin or None,
                                                                otp=otp or None),
                                  signatures=signatures)
    # Trust and timestamps as for a local key: the credential's chain is only the path to a
    # root the installation trusts, never a root of its own.
    return open_document_signer(remote, signer_class=RemoteDocumentSigner,
                                chain=remote.credential.chain)
