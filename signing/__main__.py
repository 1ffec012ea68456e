"""Command-line interface: ``python -m signing {pki,sign,fill,verify,batch} ...``.

Exit codes: 0 success / valid, 1 refused / invalid, 2 unusable input or usage.
The PIN comes from ``--pin``, ``--pin-file`` or an interactive prompt, and is
never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from . import install_speedups
from .appearance import AttachmentAppearance, LeaderAppearance, SealAppearance
from .csc import CscProvider, CscService
from .errors import BadPdfError, SigningError
from .fields import ReservedFields, fill_fields
from .keys import FilePinStore, PinGuard, load_pkcs12, open_pkcs11_signer
from .pki import DemoPKI
from .remote import RemoteAuthorisation, RemoteSigner
from .sign import DocumentSigner, Level, Role
from .validate import validate

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


def _pin_state_path() -> Path:
    env = os.environ.get("EOFFICE_PIN_STATE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "eoffice-signing" / "pin-state.json"


def _read_pin(args, prompt: str = "Signing PIN: ") -> str:
    if getattr(args, "pin", None):
        return args.pin
    if getattr(args, "pin_file", None):
        return Path(args.pin_file).read_text().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise SystemExit("no PIN: use --pin, --pin-file or run interactively")
    return getpass.getpass(prompt)


def _atomic_write(path: str, data: bytes) -> None:
    """Write next to the target then rename: a failure never leaves a partial file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".signing-", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rect(text: str | None):
    if not text:
        return None
    parts = [float(p) for p in text.split(",")]
    if len(parts) != 4:
        raise SystemExit(f"a rectangle is x1,y1,x2,y2 in points, got {text!r}")
    return tuple(parts)


def _err(exc: SigningError) -> int:
    print(f"error: {exc} [{exc.code}]", file=sys.stderr)
    print(f"lỗi: {exc.message_vi}", file=sys.stderr)
    return EXIT_UNUSABLE if isinstance(exc, BadPdfError) else EXIT_INVALID


# --------------------------------------------------------------------------- commands
def cmd_pki_init(args) -> int:
    pki = DemoPKI.init(args.dir, org=args.org)
    print(f"PKI created in {args.dir}: root {pki.root_cert.subject.rfc4514_string()}")
    return EXIT_OK


def cmd_pki_issue(args) -> int:
    from datetime import UTC, datetime

    pki = DemoPKI.open(args.dir)
    pin = _read_pin(args, "PIN to protect the new PKCS#12: ")
    nb = datetime.fromisoformat(args.not_before).replace(tzinfo=UTC) if args.not_before else None
    if args.seal:
        issued = pki.issue_seal(args.name, pin, not_before=nb, validity_days=args.days)
    else:
        issued = pki.issue_user(args.name, pin, title=args.title, org=args.org,
                                email=args.email, not_before=nb, validity_days=args.days)
    _atomic_write(args.out, issued.pkcs12)
    print(f"issued {issued.kind} certificate {issued.serial:x} for {issued.subject} "
          f"valid until {issued.not_after:%Y-%m-%d} -> {args.out}")
    return EXIT_OK


def cmd_pki_revoke(args) -> int:
    from cryptography.hazmat.primitives.serialization import pkcs12

    pki = DemoPKI.open(args.dir)
    if args.serial:
        serial = int(args.serial, 16)
    else:
        certs = pkcs12.load_pkcs12(Path(args.p12).read_bytes(), _read_pin(args).encode())
        serial = certs.cert.certificate.serial_number
    pki.revoke(serial, reason=args.reason)
    print(f"revoked {serial:x} ({args.reason}); CRL updated")
    return EXIT_OK


def _open_csc_signer(args, signatures: int) -> RemoteSigner:
    """A key held by a CSC service; the client secret comes from a file or the environment
    (``SIGNING_CSC_CLIENT_SECRET``), never from the command line where ``ps`` shows it."""
    if not args.csc_credential:
        raise SystemExit("--csc-url needs --csc-credential ID")
    secret = os.environ.get("SIGNING_CSC_CLIENT_SECRET")
    if args.csc_client_secret_file:
        secret = Path(args.csc_client_secret_file).read_text().strip()
    service = CscService(args.csc_url, client_id=args.csc_client_id, client_secret=secret,
                         timeout=args.csc_timeout)
    otp = None
    if args.otp_file:
        otp = Path(args.otp_file).read_text().strip()
    authorisation = RemoteAuthorisation(pin=_read_pin(args, "Remote signing PIN: "), otp=otp)
    return RemoteSigner(CscProvider(service, args.csc_credential), authorisation,
                        signatures=signatures)


def _open_signer(args, pki, signatures: int = 1):
    if getattr(args, "csc_url", None):
        return _open_csc_signer(args, signatures)
    if args.pkcs11_module or args.token_label:
        signer, _session = open_pkcs11_signer(
            args.pkcs11_module, _read_pin(args, "Token PIN: "), token_label=args.token_label,
            key_label=args.key_label, cert_label=args.key_label,
            chain=pki.chain if pki else ())
        return signer
    if not args.p12:
        raise SystemExit("give --p12 FILE or a PKCS#11 token (--token-label)")
    guard = PinGuard(FilePinStore(_pin_state_path()))
    return load_pkcs12(Path(args.p12).read_bytes(), _read_pin(args), guard=guard)


def _make_signer(args, signatures: int = 1) -> DocumentSigner:
    pki = DemoPKI.open(args.pki) if args.pki else None
    return DocumentSigner(_open_signer(args, pki, signatures), pki=pki, tsa_url=args.tsa,
                          level=args.level)


def _sign_kwargs(args) -> dict:
    role = Role(args.role)
    image = Path(args.image).read_bytes() if args.image else None
    kw: dict = {"role": role, "level": args.level, "reason": args.reason,
                "location": args.location}
    if role == Role.LEADER:
        kw["leader"] = LeaderAppearance(
            name=args.name or "", title=args.title or "", authority=args.authority,
            image_png=image, rect=_rect(args.rect), page=args.page,
            show_text=not args.image_only)
        if args.reserve_number or args.reserve_date:
            kw["reserve"] = ReservedFields(number_rect=_rect(args.reserve_number),
                                           date_rect=_rect(args.reserve_date))
        if args.seal_image:
            kw["seal"] = SealAppearance(Path(args.seal_image).read_bytes())
    elif role == Role.ORG:
        if not image:
            raise SystemExit("--role org needs --image SEAL.png")
        kw["seal"] = SealAppearance(image)
    elif role == Role.ATTACHMENT:
        if not args.number:
            raise SystemExit("--role attachment needs --number 'NUMBER/NOTATION'")
        kw["attachment"] = AttachmentAppearance(number=args.number, org_name=args.org_name)
    return kw


def cmd_sign(args) -> int:
    try:
        kwargs = _sign_kwargs(args)
        data = Path(args.input).read_bytes() if os.path.exists(args.input) else None
        if data is None:
            print(f"error: {args.input}: no such file", file=sys.stderr)
            return EXIT_UNUSABLE
        signer = _make_signer(args)
        out = signer.sign(data, **kwargs)
    except SigningError as exc:
        return _err(exc)
    _atomic_write(args.output, out)
    print(f"signed ({kwargs['level'] or signer.default_level}) -> {args.output}")
    return EXIT_OK


def cmd_batch(args) -> int:
    try:
        kwargs = _sign_kwargs(args)
        signer = _make_signer(args, signatures=len(args.inputs))
    except SigningError as exc:
        return _err(exc)
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)

    def progress(done, total, item):
        status = "ok" if item.ok else f"FAILED: {item.error}"
        print(f"[{done}/{total}] {item.name}: {status}", flush=True)
        if item.ok:
            _atomic_write(str(outdir / Path(item.name).name), item.output)

    docs = [(p, p) for p in args.inputs]
    results = signer.sign_batch(docs, progress=progress, workers=args.workers, **kwargs)
    bad = sum(not r.ok for r in results)
    print(f"{len(results) - bad} signed, {bad} failed")
    return EXIT_OK if not bad else EXIT_INVALID


def cmd_fill(args) -> int:
    values = {}
    if args.number is not None:
        values["SoKyHieu"] = args.number
    if args.date is not None:
        values["NgayBanHanh"] = args.date
    for kv in args.field or ():
        k, _, v = kv.partition("=")
        values[k] = v
    try:
        out = fill_fields(Path(args.input).read_bytes(), values)
    except SigningError as exc:
        return _err(exc)
    except FileNotFoundError:
        print(f"error: {args.input}: no such file", file=sys.stderr)
        return EXIT_UNUSABLE
    _atomic_write(args.output, out)
    print(f"filled {', '.join(values)} -> {args.output}")
    return EXIT_OK


def cmd_verify(args) -> int:
    roots = [Path(t).read_bytes() for t in args.trust or ()]
    pki = DemoPKI.open(args.pki) if args.pki else None
    try:
        with open(args.file, "rb") as fh:
            report = validate(fh, trust_roots=roots, pki=pki)
    except FileNotFoundError:
        print(f"error: {args.file}: no such file", file=sys.stderr)
        return EXIT_UNUSABLE
    except SigningError as exc:
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc), "code": exc.code}))
        else:
            print(f"error: {exc} [{exc.code}]\nlỗi: {exc.message_vi}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        for i, s in enumerate(report.signatures, 1):
            print(f"#{i} {s.field_name} [{s.kind}, {s.level}] {s.signer}")
            print(f"   {s.verdict_vi}\n   {s.verdict_en}")
            print(f"   intact={s.intact} trusted={s.trusted} coverage={s.coverage} "
                  f"modification={s.modification_level} revocation={s.revocation} "
                  f"timestamp={s.timestamp} ltv={s.ltv}")
        print(report.verdict_vi)
        print(report.verdict_en)
    return EXIT_OK if report.ok else EXIT_INVALID


# --------------------------------------------------------------------------- parser
def _add_sign_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--p12", help="PKCS#12 file with the signing key")
    p.add_argument("--pin", help="signing PIN (prefer --pin-file or the prompt)")
    p.add_argument("--pin-file", help="file whose first line is the PIN")
    p.add_argument("--level", choices=[lv.value for lv in Level])
    p.add_argument("--pki", help="demo PKI directory (TSA + revocation data)")
    p.add_argument("--tsa", help="external RFC 3161 TSA URL")
    p.add_argument("--image", help="signature image (leader) or seal image (org), PNG")
    p.add_argument("--seal-image", help="(leader) seal PNG, to size the reserved seal field")
    p.add_argument("--image-only", action="store_true",
                   help="(leader) the page prints title and name itself: draw only the image, "
                        "inside --rect, and keep the seal inside it too")
    p.add_argument("--role", default="plain", choices=[r.value for r in Role])
    p.add_argument("--name", help="(leader) printed name")
    p.add_argument("--title", help="(leader) title, e.g. 'PHÓ CHỦ TỊCH'")
    p.add_argument("--authority", help="(leader) e.g. 'KT. CHỦ TỊCH'")
    p.add_argument("--rect", help="(leader) x1,y1,x2,y2 of the signature block, points")
    p.add_argument("--page", type=int, default=-1, help="(leader) page index, -1 = last")
    p.add_argument("--reserve-number", help="(leader) x1,y1,x2,y2 of the number field")
    p.add_argument("--reserve-date", help="(leader) x1,y1,x2,y2 of the date field")
    p.add_argument("--number", help="(attachment) number and notation of the document")
    p.add_argument("--org-name", help="(attachment) organisation name line")
    p.add_argument("--reason")
    p.add_argument("--location")
    p.add_argument("--pkcs11-module", help="PKCS#11 module (default SoftHSM2)")
    p.add_argument("--token-label")
    p.add_argument("--key-label")
    p.add_argument("--csc-url", help="remote signing service (CSC API): base URL before /csc/v1")
    p.add_argument("--csc-credential", help="(CSC) credential id of the signing key")
    p.add_argument("--csc-client-id", help="(CSC) OAuth client id of this installation")
    p.add_argument("--csc-client-secret-file",
                   help="(CSC) file holding the client secret (or SIGNING_CSC_CLIENT_SECRET)")
    p.add_argument("--csc-timeout", type=float, default=30.0,
                   help="(CSC) seconds allowed for each request")
    p.add_argument("--otp-file", help="(CSC, SCAL2) file whose first line is the one-time code")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m signing", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    pki = sub.add_parser("pki", help="demo PKI").add_subparsers(dest="pki_cmd", required=True)
    p = pki.add_parser("init", help="create root CA, issuing CA, TSA")
    p.add_argument("dir")
    p.add_argument("--org", default="eoffice demo")
    p.set_defaults(func=cmd_pki_init)
    p = pki.add_parser("issue", help="issue a user or seal certificate as PKCS#12")
    p.add_argument("dir")
    p.add_argument("--name", required=True)
    p.add_argument("--title")
    p.add_argument("--org")
    p.add_argument("--email")
    p.add_argument("--seal", action="store_true", help="organisation seal certificate")
    p.add_argument("--out", required=True)
    p.add_argument("--pin")
    p.add_argument("--pin-file")
    p.add_argument("--days", type=int, default=730)
    p.add_argument("--not-before", help="ISO date (UTC), e.g. to make an expired test cert")
    p.set_defaults(func=cmd_pki_issue)
    p = pki.add_parser("revoke", help="revoke a certificate (by p12 or serial)")
    p.add_argument("dir")
    p.add_argument("--p12")
    p.add_argument("--pin")
    p.add_argument("--pin-file")
    p.add_argument("--serial", help="hex serial number")
    p.add_argument("--reason", default="key_compromise")
    p.set_defaults(func=cmd_pki_revoke)

    p = sub.add_parser("sign", help="sign one PDF")
    p.add_argument("input")
    p.add_argument("output")
    _add_sign_options(p)
    p.set_defaults(func=cmd_sign)

    p = sub.add_parser("batch", help="sign many PDFs with one PIN entry")
    p.add_argument("outdir")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--workers", type=int, default=1)
    _add_sign_options(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("fill", help="fill the reserved number/date fields")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--number")
    p.add_argument("--date")
    p.add_argument("--field", action="append", help="NAME=VALUE for other text fields")
    p.set_defaults(func=cmd_fill)

    p = sub.add_parser("verify", help="validate every signature")
    p.add_argument("file")
    p.add_argument("--trust", action="append", help="trusted root certificate (PEM/DER)")
    p.add_argument("--pki", help="demo PKI directory: trust its root, use its current CRL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)
    return ap


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.ERROR if os.environ.get("SIGNING_DEBUG") else
                        logging.CRITICAL, format="%(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    install_speedups()
    try:
        return args.func(args)
    except SigningError as exc:
        return _err(exc)


if __name__ == "__main__":
    sys.exit(main())
