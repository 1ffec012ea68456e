"""The Cloud Signature Consortium (CSC) API v1 as a :class:`signing.remote.RemoteProvider`.

Calls (CSC API 1.0.4): ``oauth2/token`` (client credentials, when the service gives a client
id and secret), ``credentials/info`` (certificate chain, algorithms, SCAL, multisign, PIN and
OTP presence, key and certificate status), ``credentials/authorize`` (PIN, OTP, the number of
signatures and, for SCAL2, the hashes: returns the SAD) and ``signatures/signHash``.

pyHanko ships a CSC signer (``pyhanko.sign.signers.csc_signer``) whose data classes we reuse
for the service description; its transport is an ``aiohttp`` session bound to one event
loop, while :class:`signing.sign.DocumentSigner` runs each signature in an event loop of its
own, so the HTTP calls here are plain blocking requests with a timeout, made from the
signer's ``async_sign_raw``.

Errors are the ``Remote*`` types of :mod:`signing.remote`: a wrong PIN or OTP (with the
remaining attempts when the service says), a disabled key or an expired, revoked or
suspended certificate, an unreachable or slow service (``timeout``), and any other answer
that is not what the protocol promises.  Request bodies are never logged (they hold the PIN).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

from asn1crypto import algos
from cryptography import x509
from pyhanko.sign.signers.csc_signer import CSCServiceSessionInfo

from .remote import (
    RemoteAuthorisation,
    RemoteCredential,
    RemoteCredentialRefused,
    RemoteGrant,
    RemoteGrantExpired,
    RemoteProvider,
    RemoteServiceError,
    RemoteUnavailable,
    RemoteWrongAuthorisation,
)

__all__ = ["CscProvider", "CscService"]

#: The largest answer read from a service (a certificate chain and a batch of signatures fit
#: many times over); a bigger one is refused rather than held in memory.
MAX_ANSWER_BYTES = 4 * 1024 * 1024
_REMAINING = re.compile(r"(\d+)\s*(?:remaining|attempts?\s+(?:left|remaining)|lần)", re.I)


@dataclass(frozen=True)
class CscService:
    """A CSC service and how this installation authenticates to it."""

    #: Base URL, the part before ``/csc/v1/...`` (e.g. ``https://rs.example.vn``).
    base_url: str
    #: OAuth 2.0 client credentials the vendor issued to this installation (optional).
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    #: A ready bearer token instead of client credentials (optional).
    oauth_token: str | None = field(default=None, repr=False)
    #: Token endpoint; default ``<base_url>/csc/v1/oauth2/token``.
    token_url: str | None = None
    #: Seconds allowed for each request (connection and answer).
    timeout: float = 30.0

    def session_info(self, credential_id: str, token: str | None) -> CSCServiceSessionInfo:
        """pyHanko's description of the service session (URLs and auth header)."""
        return CSCServiceSessionInfo(service_url=self.base_url.rstrip("/"),
                                     credential_id=credential_id, oauth_token=token)


class CscProvider(RemoteProvider):
    """One credential at one CSC service."""

    def __init__(self, service: CscService, credential_id: str):
        self.service = service
        self.credential_id = credential_id
        self._token = service.oauth_token
        self._info: RemoteCredential | None = None

    # ------------------------------------------------------------------ transport
    @property
    def _session(self) -> CSCServiceSessionInfo:
        return self.service.session_info(self.credential_id, self._token)

    def _http(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.service.timeout) as response:
                status, raw = response.status, response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read(MAX_ANSWER_BYTES + 1)
        except TimeoutError:
            raise RemoteUnavailable(f"{url}: no answer within {self.service.timeout:g} s",
                                    timeout=True) from None
        except urllib.error.URLError as error:
            timed_out = isinstance(error.reason, TimeoutError)
            raise RemoteUnavailable(f"{url}: {error.reason}", timeout=timed_out) from None
        except (ConnectionError, HTTPException, OSError) as error:
            raise RemoteUnavailable(f"{url}: {error}") from None
        if len(raw) > MAX_ANSWER_BYTES:
            raise RemoteServiceError(f"{url}: answer larger than {MAX_ANSWER_BYTES} bytes")
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"error_description": raw[:200].decode("utf-8", "replace")}
        return status, payload

    def _fetch_token(self) -> None:
        if not (self.service.client_id and self.service.client_secret):
            return
        url = self.service.token_url or self._session.endpoint_url("oauth2/token")
        body = urllib.parse.urlencode({"grant_type": "client_credentials",
                                       "client_id": self.service.client_id,
                                       "client_secret": self.service.client_secret}).encode()
        status, payload = self._http(url, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        if status != 200 or "access_token" not in payload:
            raise RemoteServiceError(
                f"the signing service refused this installation's client credentials "
                f"(HTTP {status})",
                message_vi="Dịch vụ ký số từ xa từ chối thông tin xác thực của hệ thống "
                           "(client id/secret); hãy báo quản trị")
        self._token = str(payload["access_token"])

    def _call(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        if self._token is None:
            self._fetch_token()
        body = json.dumps(data).encode()
        for attempt in (1, 2):
            headers = {"Content-Type": "application/json", "Accept": "application/json",
                       **self._session.auth_headers}
            status, payload = self._http(self._session.endpoint_url(endpoint), body, headers)
            if status == 401 and attempt == 1 and self.service.client_id:
                self._fetch_token()  # the token expired: one fresh one, then give up
                continue
            break
        if status == 200 and isinstance(payload, dict):
            return payload
        raise _error(endpoint, status, payload if isinstance(payload, dict) else {})

    # ------------------------------------------------------------------ provider
    def credential(self) -> RemoteCredential:
        if self._info is None:
            self._info = _parse_info(self.credential_id, self._call("credentials/info", {
                "credentialID": self.credential_id, "certificates": "chain",
                "certInfo": False, "authInfo": True}))
        return self._info

    def authorise(self, credential: RemoteCredential, authorisation: RemoteAuthorisation, *,
                  signatures: int, hashes: Sequence[bytes] | None = None) -> RemoteGrant:
        data: dict[str, Any] = {"credentialID": credential.credential_id,
                                "numSignatures": signatures}
        if hashes is not None:
            data["hash"] = [base64.b64encode(h).decode("ascii") for h in hashes]
        if credential.needs_pin or authorisation.pin:
            data["PIN"] = authorisation.pin or ""
        if credential.needs_otp or authorisation.otp:
            data["OTP"] = authorisation.otp or ""
        payload = self._call("credentials/authorize", data)
        if "SAD" not in payload:
            raise RemoteServiceError("credentials/authorize answered without a SAD")
        return RemoteGrant(str(payload["SAD"]), signatures,
                           frozenset(hashes) if hashes is not None else None)

    def sign_hashes(self, credential: RemoteCredential, grant: RemoteGrant,
                    hashes: Sequence[bytes], digest_algorithm: str,
                    mechanism: algos.SignedDigestAlgorithm) -> list[bytes]:
        data: dict[str, Any] = {
            "credentialID": credential.credential_id, "SAD": grant.token,
            "hash": [base64.b64encode(h).decode("ascii") for h in hashes],
            "hashAlgo": algos.DigestAlgorithmId(digest_algorithm).dotted,
            "signAlgo": mechanism["algorithm"].dotted,
        }
        if mechanism["parameters"].native is not None:
            data["signAlgoParams"] = base64.b64encode(mechanism["parameters"].dump()).decode()
        payload = self._call("signatures/signHash", data)
        try:
            signatures = [base64.b64decode(s, validate=True) for s in payload["signatures"]]
        except (KeyError, TypeError, ValueError):
            raise RemoteServiceError("signatures/signHash answered without signatures"
                                     ) from None
        if len(signatures) != len(hashes):
            raise RemoteServiceError(f"asked for {len(hashes)} signatures, got "
                                     f"{len(signatures)}")
        return signatures


def _flag(value: object) -> bool:
    return str(value).lower() in ("true", "1")


def _parse_info(credential_id: str, info: dict[str, Any]) -> RemoteCredential:
    try:
        certs = [x509.load_der_x509_certificate(base64.b64decode(c))
                 for c in info["cert"]["certificates"]]
        key = info["key"]
        algorithms = frozenset(algos.SignedDigestAlgorithmId(oid).native
                               for oid in key.get("algo", ()))
        key_bits = int(key.get("len") or certs[0].public_key().key_size)
        scal = int(info.get("SCAL", 1))
        max_signatures = int(info.get("multisign", 1))
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise RemoteServiceError(f"credentials/info: unexpected answer ({exc})") from None
    mode = str(info.get("authMode", "implicit"))
    if mode == "oauth2code":
        raise RemoteServiceError(
            "the credential is authorised through the vendor's web page (oauth2code), "
            "which this installation does not drive",
            message_vi="Chứng thư ký từ xa này chỉ xác thực qua trang của nhà cung cấp; "
                       "hệ thống chưa hỗ trợ cách xác thực đó")
    explicit = mode == "explicit"
    needs_otp = explicit and _flag((info.get("OTP") or {}).get("presence"))
    return RemoteCredential(
        credential_id=credential_id, certificate=certs[0], chain=tuple(certs[1:]),
        algorithms=algorithms, key_bits=key_bits, max_signatures=max(1, max_signatures),
        scal=scal, needs_pin=explicit and _flag((info.get("PIN") or {}).get("presence")),
        needs_otp=needs_otp or (explicit and scal >= 2 and "OTP" in info),
        key_status=str(key.get("status", "enabled")),
        certificate_status=str((info.get("cert") or {}).get("status", "valid")))


def _remaining(payload: dict[str, Any], text: str) -> int | None:
    for name in ("remainingAttempts", "remaining_attempts", "retries"):
        if isinstance(payload.get(name), int):
            return int(payload[name])
    match = _REMAINING.search(text)
    return int(match.group(1)) if match else None


def _error(endpoint: str, status: int, payload: dict[str, Any]) -> Exception:
    """The ``Remote*`` error an unsuccessful answer means."""
    code = str(payload.get("error", ""))
    text = f"{code} {payload.get('error_description', '')}".strip()
    lowered = text.lower()
    where = f"{endpoint}: HTTP {status}: {text or 'no description'}"
    if status in (502, 503, 504):
        return RemoteUnavailable(where, timeout=status == 504)
    if endpoint == "signatures/signHash" and "sad" in lowered:
        return RemoteGrantExpired(where)
    for word, reason, vi in (("revoked", "revoked", "đã bị thu hồi"),
                             ("expired", "expired", "đã hết hạn"),
                             ("suspended", "suspended", "đang bị tạm dừng"),
                             ("disabled", "disabled", "đang bị vô hiệu hóa"),
                             ("locked", "locked", "đã bị khóa do xác thực sai nhiều lần"),
                             ("blocked", "locked", "đã bị khóa do xác thực sai nhiều lần")):
        if word in lowered and "sad" not in lowered:
            return RemoteCredentialRefused(where, reason=reason,
                                           message_vi=f"Chứng thư số ký từ xa {vi}")
    if endpoint == "credentials/authorize" and ("pin" in lowered or "otp" in lowered
                                                or code in ("access_denied", "invalid_grant")):
        otp = None if ("otp" in lowered) == ("pin" in lowered) else "otp" in lowered
        return RemoteWrongAuthorisation(where, remaining=_remaining(payload, text), otp=otp)
    if status in (401, 403):
        return RemoteServiceError(
            where, message_vi="Dịch vụ ký số từ xa từ chối yêu cầu của hệ thống; hãy báo quản trị")
    if status == 404:
        return RemoteServiceError(
            where, message_vi="Dịch vụ ký số từ xa không có chứng thư đã liên kết")
    return RemoteServiceError(where)
