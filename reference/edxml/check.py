"""Reference check of ``formats.edxml`` against the official edXML library (EdXML102 0.0.3).

Not part of the test suite: the library jar and the published samples may not be committed.
They come from the public national-axis SDK example repository (GitHub
``PVN-Organization/API-Gateway-iOffice``), a git directory or checkout named by
``EDXML_REFERENCE_REPO``. Run with ``make check-edxml-reference``:

1. our packages (every business type, with attachments, signed) and status messages (every
   code) are parsed by the official library through our harness ``ParseWithOfficial.java``;
   every field it reads must equal what we wrote;
2. every official sample package and status message (and the other packages the repository
   holds) is read by our reader and by the library; every field must agree, and a file the
   library refuses must be refused by us with a clear message.

Prints the figures (files parsed, fields compared) and exits non-zero on any mismatch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from lxml import etree

from formats.edxml import (
    Attachment,
    EdxmlError,
    EdxmlMessage,
    EdxmlPackage,
    StaffInfo,
    StatusCode,
    StatusMessage,
    build_package,
    build_status,
    parse_message,
    sign_package,
    verify_package,
)
from formats.edxml.signature import DS
from formats.edxml.writer import format_timestamp
from tests.formats import edxml_samples as samples

DEFAULT_REPO = "/work/.mirror/PVN-Organization+API-Gateway-iOffice/repo"
SDK = "JDK 1.8/SDKVXP_Example"
HERE = Path(__file__).resolve().parent
# The samples the issue names; the repository's other packages are checked too, as extras.
NAMED = ("edoc_new.edxml", "edoc_update.edxml", "edoc_replacement.edxml",
         "edoc_revocation.edxml")
Flat = dict[str, Any]


# --------------------------------------------------------------------------- setup
def extract(repo: Path, into: Path) -> Path:
    """The SDK's lib/ and resources/ (and the uploads/ packages) under ``into``."""
    if (repo / SDK).is_dir():  # a checkout
        archive = subprocess.run(["tar", "-C", str(repo), "-cf", "-", SDK],
                                 check=True, capture_output=True).stdout
    else:  # a bare git directory, as the mirror keeps it
        archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", "HEAD",
                                  "--", f"{SDK}/lib", f"{SDK}/resources",
                                  f"{SDK}/{SDK}/uploads"],
                                 check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / SDK


def compile_harness(sdk: Path, classes: Path) -> str:
    classpath = f"{sdk / 'lib'}/*"
    subprocess.run(["javac", "-nowarn", "-encoding", "UTF-8", "-cp", classpath, "-d",
                    str(classes), str(HERE / "ParseWithOfficial.java"),
                    str(HERE / "XmlSignatureJdk.java")], check=True, capture_output=True)
    return f"{classpath}{os.pathsep}{classes}"


def java(classpath: str, *args: str) -> str:
    return subprocess.run(["java", "-Duser.timezone=Asia/Ho_Chi_Minh", "-cp", classpath, *args],
                          check=True, capture_output=True).stdout.decode("utf-8")


def official(classpath: str, kind: str, files: list[Path]) -> dict[str, dict[str, Any]]:
    """What the official library reads from each file (by file name)."""
    out = java(classpath, "ParseWithOfficial", kind, *map(str, files))
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {row.pop("file"): row for row in rows}


def seal() -> tuple[rsa.RSAPrivateKey, list[x509.Certificate]]:
    """A throwaway organisation seal (CA → leaf) to sign our packages with."""
    now = datetime.now(UTC)

    def issue(subject: str, key: rsa.RSAPrivateKey, issuer: str,
              issuer_key: rsa.RSAPrivateKey) -> x509.Certificate:
        def name(cn: str) -> x509.Name:
            return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        return (x509.CertificateBuilder().subject_name(name(subject))
                .issuer_name(name(issuer)).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=30)).sign(issuer_key, hashes.SHA256()))

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, [issue("UBND tỉnh Hòa Bình", key, "CA thử nghiệm", ca_key),
                 issue("CA thử nghiệm", ca_key, "CA thử nghiệm", ca_key)]


# --------------------------------------------------------------------------- flattening
def flatten(value: Any, prefix: str = "") -> Flat:
    """``{"a.b[0].c": leaf}`` with a ``…#`` entry holding each list's length."""
    out: Flat = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list):
        out[f"{prefix}#"] = len(value)
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
    else:
        out[prefix] = value
    return out


def _organ(org: Any) -> dict[str, Any]:
    return {"OrganId": org.organ_id, "OrganizationInCharge": org.organization_in_charge,
            "OrganName": org.organ_name, "OrganAdd": org.organ_add, "Email": org.email,
            "Telephone": org.telephone, "Fax": org.fax, "Website": org.website}


def _staff(staff: Any) -> dict[str, Any]:
    return {"Department": staff.department, "Staff": staff.staff, "Mobile": staff.mobile,
            "Email": staff.email, "StaffId": staff.staff_id or None,
            "DepartmentId": staff.department_id or None}


def _response_for(item: Any) -> dict[str, Any]:
    return {"OrganId": item.organ_id, "Code": item.code, "DocumentId": item.document_id,
            "PromulgationDate": f"{item.promulgation_date:%Y/%m/%d}"}


def package_fields(message: EdxmlMessage, attachments: Iterable[Attachment],
                   document_key: str, *, cids: bool = True) -> Flat:
    """The library's view of a package, as our model says it should be."""
    oi, business = message.other_info, message.business
    info = business.document_info
    header = {
        "From": _organ(message.from_org), "To": [_organ(o) for o in message.to_orgs],
        "DocumentId": document_key, "CodeNumber": message.code_number,
        "CodeNotation": message.code_notation, "Place": message.place,
        "PromulgationDate": f"{message.promulgation_date:%Y/%m/%d}",
        "Type": message.document_type, "TypeDetail": message.type_detail,
        "TypeName": message.type_name, "Subject": message.subject, "Content": message.content,
        "Competence": message.signer.competence, "Position": message.signer.position,
        "FullName": message.signer.full_name,
        "DueDate": f"{message.due_date:%Y/%m/%d}" if message.due_date else None,
        "ToPlaces": list(message.to_places), "SteeringType": message.steering_type,
        "ResponseFor": [_response_for(r) for r in message.response_for],
        "OtherInfo": {"Priority": oi.priority, "SphereOfPromulgation": oi.sphere_of_promulgation,
                      "TyperNotation": oi.typer_notation,
                      "PromulgationAmount": oi.promulgation_amount,
                      "PageAmount": oi.page_amount, "Direction": oi.direction,
                      "Appendixes": list(oi.appendixes)},
    }
    fields = {
        "MessageHeader": header,
        "TraceHeaders": [{"OrganId": t.organ_id, "Timestamp": format_timestamp(t.timestamp)}
                         for t in message.trace_headers],
        "Bussiness": {
            "DocumentId": business.document_id or None,
            "BussinessDocType": str(int(business.doc_type)),
            "BussinessDocReason": business.reason, "Paper": str(business.paper),
            "BussinessDocumentInfo": [] if info is None else [{
                "DocumentInfo": str(info.document_info),
                "DocumentReceiver": str(info.document_receiver),
                "Receivers": [{"OrganId": r.organ_id, "ReceiverType": str(r.receiver_type)}
                              for r in info.receivers]}],
            "ReplacementInfo": [{"DocumentId": r.document_id, "OrganIds": list(r.organ_ids)}
                                for r in business.replacements],
            "StaffInfo": [_staff(business.staff)] if business.staff != StaffInfo() else []},
        "Attachments": [{"AttachmentName": a.name, "Description": a.description,
                         "Sha256": hashlib.sha256(a.data).hexdigest()}
                        | ({"ContentId": f"cid:{i}", "ContentType": a.content_type}
                           if cids else {})
                        for i, a in enumerate(attachments, start=1)],
    }
    if cids:  # our own packages: the manifest is ours to predict (the library keeps "cid:"
        # on an attachment's id and strips it from the manifest's)
        fields["References"] = [{"ContentId": str(i), "ContentType": a.content_type,
                                 "AttachmentName": a.name, "Description": a.description}
                                for i, a in enumerate(attachments, start=1)]
    return flatten(fields)


def signature_fields(xml: bytes) -> Flat:
    """The signature's fields as they stand in our XML (the library must read the same)."""
    root = etree.fromstring(xml)
    sig = root.find(f".//{{{DS}}}Signature")
    assert sig is not None

    def get(path: str, attribute: str | None = None) -> Any:
        node = sig.find("/".join(f"{{{DS}}}{p}" for p in path.split("/")))
        assert node is not None
        return node.get(attribute) if attribute else node.text

    return flatten({"Signature": {
        "SignatureValue": get("SignatureValue"),
        "CanonicalizationMethod": get("SignedInfo/CanonicalizationMethod", "Algorithm"),
        "SignatureMethod": get("SignedInfo/SignatureMethod", "Algorithm"),
        "X509SubjectName": get("KeyInfo/X509Data/X509SubjectName"),
        "X509Certificate": get("KeyInfo/X509Data/X509Certificate"),
        "References": [{"URI": "", "DigestValue": get("SignedInfo/Reference/DigestValue"),
                        "DigestMethod": get("SignedInfo/Reference/DigestMethod", "Algorithm"),
                        "Transforms": [t.get("Algorithm")
                                       for t in sig.iter(f"{{{DS}}}Transform")]}]}})


def status_fields(status: StatusMessage) -> Flat:
    """The library's view of a status message, as our model says it should be."""
    return flatten({"From": _organ(status.from_org),
                    "ResponseFor": _response_for(status.response_for),
                    "StatusCode": status.code.value, "Description": status.description,
                    "Timestamp": format_timestamp(status.timestamp),
                    "StaffInfo": _staff(status.staff)})


ABSENT = object()
_DEFAULTS = (None, "", 0, "0")


def compare(name: str, expected: Flat, actual: Flat, *, loose: bool = False) -> list[str]:
    """Differences, one line each. ``loose`` (files we did not write) is about representation,
    not data: surrounding blanks are ignored, and an element the file lacks is our model's
    default where the library has null (or -1 for TypeDetail)."""
    def same(key: str, ours: Any, theirs: Any) -> bool:
        if not loose:
            return bool(ours == theirs)
        if isinstance(ours, str) and isinstance(theirs, str):
            return ours.strip() == theirs.strip()
        absent = theirs is ABSENT or theirs is None or (key.endswith("TypeDetail")
                                                        and theirs == -1)
        return bool(ours == theirs or (absent and ours in _DEFAULTS))
    return [f"{name}: {key}: ours {value!r} ≠ official "
            f"{'(absent)' if actual.get(key, ABSENT) is ABSENT else actual[key]!r}"
            for key, value in expected.items() if not same(key, value, actual.get(key, ABSENT))]


# --------------------------------------------------------------------------- part 1
def our_messages() -> list[tuple[str, EdxmlMessage, list[Attachment]]]:
    """Every business type with attachments, and a minimal package without optional parts."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    files = [*samples.ATTACHMENTS, Attachment("Sơ đồ tổ chức.png", "image/png", png, "Sơ đồ")]
    out = [(f"ours-business-{t}.edxml",
            dataclasses.replace(samples.MESSAGE, business=business), files)
           for t, business in samples.BUSINESSES.items()]
    minimal = EdxmlMessage(from_org=samples.UBND, to_orgs=(samples.SNV,), code_number="05",
                           code_notation="UBND-VP", place="Hòa Bình",
                           promulgation_date=samples.MESSAGE.promulgation_date,
                           document_type=2, type_name="Công văn", subject="V/v báo cáo",
                           signer=samples.MESSAGE.signer)
    out.append(("ours-minimal.edxml", minimal, samples.ATTACHMENTS[:1]))
    # A revocation carries no file (the application sends it so).
    out.append(("ours-revoke-no-files.edxml",
                dataclasses.replace(minimal, business=samples.BUSINESSES[1]), []))
    return out


def our_statuses() -> list[tuple[str, StatusMessage]]:
    return [(f"ours-status-{code.value}.edxml", StatusMessage(
        response_for=samples.MESSAGE.response_for[0], from_org=samples.SNV, code=code,
        timestamp=datetime(2026, 2, 6, 8, 30, 5, tzinfo=samples.VN),
        description=f"{code.label} — Văn thư Sở Nội vụ", staff=samples.CLERK))
        for code in StatusCode]


def check_ours(classpath: str, work: Path, key: rsa.RSAPrivateKey,
               chain: list[x509.Certificate]) -> tuple[int, int, list[str]]:
    expected: dict[str, Flat] = {}
    packages: list[Path] = []
    for name, message, files in our_messages():
        data = sign_package(build_package(message, files), key, chain)
        assert verify_package(data) is not None
        (work / name).write_bytes(data)
        packages.append(work / name)
        expected[name] = package_fields(message, files, message.document_id) \
            | signature_fields(data)
    statuses: list[Path] = []
    for name, status in our_statuses():
        (work / name).write_bytes(sign_package(build_status(status), key, chain))
        statuses.append(work / name)
        expected[name] = status_fields(status)
    read = official(classpath, "package", packages) | official(classpath, "status", statuses)
    problems: list[str] = []
    fields = 0
    for name, want in expected.items():
        got = read[name]
        if "error" in got:
            problems.append(f"{name}: the official library refused it: {got['error']}")
            continue
        fields += len(want)
        problems += compare(name, want, flatten(got))
    return len(expected), fields, problems


# --------------------------------------------------------------------------- part 2
def official_files(sdk: Path) -> list[Path]:
    resources = sorted((sdk / "resources").glob("*.edxml*"))
    uploads = sorted((sdk / SDK / "uploads").glob("*.edxml"))
    return resources + uploads


def is_status(path: Path) -> bool:
    return path.name.startswith("status") or b"<edXML:StatusCode>" in path.read_bytes()


def check_official(classpath: str, sdk: Path) -> tuple[dict[str, int], list[str], list[str]]:
    files = official_files(sdk)
    statuses = [f for f in files if is_status(f)]
    packages = [f for f in files if f not in statuses]
    read = official(classpath, "package", packages) | official(classpath, "status", statuses)
    figures = {"files": len(files), "read by both": 0, "refused by both": 0, "fields": 0}
    problems: list[str] = []
    notes: list[str] = []
    for path in files:
        data, lib = path.read_bytes(), read[path.name]
        named = path.name in NAMED or path.name.startswith("status")
        try:
            ours: EdxmlPackage | StatusMessage | None = parse_message(data)
            refusal = ""
        except EdxmlError as error:
            ours, refusal = None, str(error)
        if ours is None:
            if "error" in lib:
                figures["refused by both"] += 1
                notes.append(f"{path.name}: refused by both — ours: {refusal} | official: "
                             f"{lib['error'][:120]}")
            else:
                (problems if named else notes).append(
                    f"{path.name}: the official library reads it, we refuse it: {refusal}")
            continue
        if "error" in lib:
            (problems if named else notes).append(
                f"{path.name}: we read it, the official library refuses it: {lib['error']}")
            continue
        if isinstance(ours, StatusMessage):
            want = status_fields(ours)
        else:
            want = package_fields(ours.message, ours.attachments, ours.document_id, cids=False)
        differences = compare(path.name, want, flatten(lib), loose=True)
        figures["read by both"] += 1
        figures["fields"] += len(want)
        problems += differences
        if isinstance(ours, EdxmlPackage):
            try:
                signer = verify_package(data, allow_sha1=True)
                verdict = f"signed by {signer.subject}" if signer else "unsigned"
            except EdxmlError as error:
                verdict = f"signature not accepted: {error}"
            notes.append(f"{path.name}: {verdict}")
    return figures, problems, notes


# --------------------------------------------------------------------------- part 3
def check_signatures(classpath: str, work: Path, key: rsa.RSAPrivateKey,
                     chain: list[x509.Certificate]) -> tuple[list[str], list[str]]:
    """Our signatures verified by the JDK's XML signature; the JDK's, made the way other
    senders sign (SHA-256 or SHA-1, with or without an explicit c14n transform), by ours."""
    results: list[str] = []
    problems: list[str] = []
    ours = sorted((work / "ours").glob("ours-*.edxml"))
    verdicts = [json.loads(line) for line in java(classpath, "XmlSignatureJdk", "verify",
                                                  *map(str, ours)).splitlines()]
    bad = [v for v in verdicts if not v["valid"]]
    results.append(f"{len(verdicts) - len(bad)}/{len(verdicts)} of our signed files verified "
                   "by the JDK's XML signature (javax.xml.crypto)")
    problems += [f"JDK refused our signature on {v['file']}: {v.get('reason', '')}" for v in bad]
    der = work / "seal"
    der.mkdir()
    (der / "key.der").write_bytes(key.private_bytes(
        Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
    (der / "cert.der").write_bytes(chain[0].public_bytes(Encoding.DER))
    unsigned = work / "unsigned.edxml"
    unsigned.write_bytes(build_package(samples.MESSAGE, samples.ATTACHMENTS))
    for alg in ("sha256", "sha256-bare", "sha1", "sha1-bare"):
        signed = work / f"jdk-{alg}.edxml"
        java(classpath, "XmlSignatureJdk", "sign", str(unsigned), str(signed),
             str(der / "key.der"), str(der / "cert.der"), alg)
        data = signed.read_bytes()
        outcome = []
        for allow_sha1 in (False, True):
            try:
                signer = verify_package(data, allow_sha1=allow_sha1)
                outcome.append("accepted" if signer and signer.certificate == chain[0]
                               else "no signer")
            except EdxmlError as error:
                outcome.append(f"refused ({str(error)[:60]}…)")
        try:
            verify_package(data.replace(b"Quy ch\xe1\xba\xbf", b"Quy \xc4\x91\xe1\xbb\x8bnh", 1),
                           allow_sha1=True)
            tampered = "tampered copy ACCEPTED"
        except EdxmlError:
            tampered = "tampered copy refused"
        results.append(f"JDK {alg}: ours {outcome[0]}; with allow_sha1 {outcome[1]}; {tampered}")
        want_default = "accepted" if alg.startswith("sha256") else "refused"
        if not outcome[0].startswith(want_default) or outcome[1] != "accepted" \
                or "ACCEPTED" in tampered:
            problems.append(f"JDK-signed ({alg}) package: {outcome}, {tampered}")
    return results, problems


def main() -> int:
    repo = Path(os.environ.get("EDXML_REFERENCE_REPO", DEFAULT_REPO))
    if not repo.exists():
        print(f"check-edxml-reference: {repo} not found (set EDXML_REFERENCE_REPO to a copy "
              "of github.com/PVN-Organization/API-Gateway-iOffice)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="edxml-reference-") as temp:
        work = Path(temp)
        sdk = extract(repo, work / "sdk")
        (work / "classes").mkdir()
        (work / "ours").mkdir()
        classpath = compile_harness(sdk, work / "classes")
        key, chain = seal()
        count, fields, problems = check_ours(classpath, work / "ours", key, chain)
        print(f"ours → official library: {count} files parsed ({count - len(StatusCode)} "
              "signed packages: business types 0–3 with 3 attachments each, a minimal one, a "
              f"revocation without files; {len(StatusCode)} signed status codes), {fields} "
              f"fields compared, {len(problems)} mismatches")
        figures, official_problems, notes = check_official(classpath, sdk)
        print(f"official files → our reader: {figures['files']} files, {figures['read by both']}"
              f" read by both with {figures['fields']} fields compared, "
              f"{figures['refused by both']} refused by both, "
              f"{len(official_problems)} mismatches")
        for line in notes:
            print(f"  note: {line}")
        results, signature_problems = check_signatures(classpath, work, key, chain)
        print("signatures:")
        for line in results:
            print(f"  {line}")
        problems += signature_problems
        for line in problems + official_problems:
            print(f"  MISMATCH {line}")
        return 1 if problems or official_problems else 0


if __name__ == "__main__":
    sys.exit(main())
