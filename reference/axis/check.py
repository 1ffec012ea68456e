"""Reference check of our hub (``eoffice.exchange.axis``) against the national axis's own SDK.

Not part of the test suite: the SDK jar (``SDKVXP-2.0.1.jar`` and its libraries) may not be
committed. It comes from the public SDK example repository (GitHub
``PVN-Organization/API-Gateway-iOffice``), a git directory or checkout named by
``AXIS_REFERENCE_REPO`` (else ``EDXML_REFERENCE_REPO``, the same repository the edXML reference
check reads). Run with ``make check-axis-reference``:

1. our hub is started on 127.0.0.1 (a fresh SQLite database, migrated) with two systems: one
   serving the sender organisation of one of our signed edXML packages, one its recipient;
2. our harness ``SdkAgainstHub.java`` calls that hub through the SDK's own classes only:
   getAgenciesList (and with a wrong secret), sendEdoc of the package as the SDK's example
   does, then as the other system getReceivedEdocList, getEdoc (the bytes must be the ones
   sent) and updateStatus, and getSentEdocList as the sender;
3. our own client (``AxisClient``) then makes the same calls, and each of its requests is
   set beside the SDK's for the same operation, as the hub received them: it must carry every
   parameter the SDK's own example passes, the same body framing and Content-Type;
4. what the SDK saw and the comparison are printed, then a one-line summary; the exit status
   is non-zero on any failure.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

from flask import Flask, request
from flask_migrate import upgrade

from eoffice.exchange.axis import hub, protocol
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.ports import MessageKind, OutgoingMessage
from eoffice.extensions import db
from formats.edxml import build_package, sign_package
from tests.conftest import make_app
from tests.formats import edxml_samples as samples
from tests.services.live_server import serve

DEFAULT_REPO = "/work/.mirror/PVN-Organization+API-Gateway-iOffice/repo"
SDK = "JDK 1.8/SDKVXP_Example"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def extract_lib(repo: Path, into: Path) -> Path:
    """The SDK's lib/ (the SDK jar and what it needs) under ``into``."""
    if (repo / SDK).is_dir():  # a checkout
        archive = subprocess.run(["tar", "-C", str(repo), "-cf", "-", f"{SDK}/lib"],
                                 check=True, capture_output=True).stdout
    else:  # a bare git directory, as the mirror keeps it
        archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", "HEAD",
                                  "--", f"{SDK}/lib"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    lib = into / SDK / "lib"
    if not (lib / "SDKVXP-2.0.1.jar").is_file():
        raise SystemExit(f"check-axis-reference: no SDKVXP-2.0.1.jar in {repo}")
    # 2.0.0 sits beside it with the same classes: only the newer one on the class path.
    (lib / "SDKVXP-2.0.0.jar").unlink(missing_ok=True)
    return lib


def edxml_reference() -> ModuleType:
    """``reference/edxml/check.py``, for its throwaway organisation seal."""
    spec = importlib.util.spec_from_file_location("edxml_reference", ROOT / "reference" /
                                                  "edxml" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The parameters the SDK's own example (ServiceTest) passes to each operation, beside
#: systemid, timestamp and Content-Type: our client must send at least these.
EXAMPLE_PARAMS = {
    protocol.GET_AGENCIES: set(),
    protocol.SEND: {"from", "servicetype", "messagetype", "hash-file"},
    protocol.LIST_RECEIVED: {"servicetype"},
    protocol.GET: {"docid"},
    protocol.UPDATE_STATUS: {"status", "docid"},
}
ALWAYS = {"systemid", "timestamp", "content-type"}
Seen = dict[str, tuple[frozenset[str], str, bool]]


def record_requests(app: Flask, into: list[tuple[str, frozenset[str], str, bool]]) -> None:
    """Keep, for every request the hub receives: its operation, the names it signed, its
    Content-Type and whether its body ends with CRLF."""
    @app.before_request
    def _seen() -> None:
        names = request.headers.get(protocol.SIGNED_NAMES_HEADER, "")
        body = request.get_data(cache=True)
        into.append((request.path.rsplit("/", 1)[-1],
                     frozenset(n.lower() for n in names.split(";") if n),
                     request.headers.get("Content-Type", ""), body.endswith(b"\r\n")))


def first_by_operation(seen: list[tuple[str, frozenset[str], str, bool]]) -> Seen:
    found: Seen = {}
    for operation, names, content_type, crlf in seen:
        found.setdefault(operation, (names, content_type, crlf))
    return found


def compare_client(sdk: Seen, ours: Seen) -> list[str]:
    """One line per operation; a line starting with FAIL is a difference that matters."""
    lines = []
    for operation, needed in EXAMPLE_PARAMS.items():
        if operation not in ours or operation not in sdk:
            lines.append(f"FAIL {operation}: not called by {'us' if operation in sdk else 'SDK'}")
            continue
        (our_names, our_type, our_crlf), (sdk_names, sdk_type, sdk_crlf) = (
            ours[operation], sdk[operation])
        missing = sorted((needed | ALWAYS) - our_names)
        good = (not missing and our_type.split(";")[0] == sdk_type.split(";")[0]
                and our_crlf == sdk_crlf)
        lines.append(
            f"{'OK  ' if good else 'FAIL'} {operation}: ours signs {';'.join(sorted(our_names))}"
            f" (SDK: {';'.join(sorted(sdk_names))}); Content-Type {our_type} (SDK: {sdk_type})"
            f"{'; body ends with CRLF as the SDK' if our_crlf and sdk_crlf else ''}"
            f"{'; MISSING ' + ', '.join(missing) if missing else ''}")
    return lines


def our_client_calls(base: str, secrets: dict[str, str], sender: str, receiver: str,
                     package: bytes) -> None:
    """Our client through the same steps as the SDK harness."""
    sending = AxisClient(f"{base}/axis", "tinh-a", secrets["tinh-a"])
    receiving = AxisClient(f"{base}/axis", "tinh-b", secrets["tinh-b"])
    sending.agencies()
    sending.send(OutgoingMessage(key="reference-check", kind=MessageKind.PACKAGE,
                                 from_organ_id=sender, to_organ_ids=(receiver,), data=package))
    received = list(receiving.fetch_received(receiver))
    if [message.data for message in received] != [package]:
        raise SystemExit("check-axis-reference: our client did not get back the package sent")
    receiving.acknowledge(received[0].message_id, receiver)
    sending.sent_status("reference-check")


def our_package() -> bytes:
    """One of our packages as an installation sends it: signed, with attachments, for one
    recipient (the SDK's sendEdoc names none: the hub reads them from the package)."""
    message = dataclasses.replace(samples.MESSAGE, to_orgs=(samples.SNV,))
    key, chain = edxml_reference().seal()
    return sign_package(build_package(message, list(samples.ATTACHMENTS)), key, chain)


def main() -> int:
    repo = Path(os.environ.get("AXIS_REFERENCE_REPO")
                or os.environ.get("EDXML_REFERENCE_REPO") or DEFAULT_REPO)
    if not repo.exists():
        print(f"check-axis-reference: {repo} not found (set AXIS_REFERENCE_REPO to a copy "
              "of github.com/PVN-Organization/API-Gateway-iOffice)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="axis-reference-") as temp:
        work = Path(temp)
        lib = extract_lib(repo, work / "sdk")
        classes = work / "classes"
        classes.mkdir()
        classpath = f"{lib}/*"
        subprocess.run(["javac", "-nowarn", "-encoding", "UTF-8", "-cp", classpath, "-d",
                        str(classes), str(HERE / "SdkAgainstHub.java")],
                       check=True, capture_output=True)
        package = work / "package.edxml"
        package.write_bytes(our_package())
        sender_organ, receiver_organ = samples.UBND.organ_id, samples.SNV.organ_id

        instance = work / "instance"
        app = make_app(instance, f"sqlite:///{work / 'hub.sqlite3'}", hub=True)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            sender_secret = hub.register_system("tinh-a", "Tỉnh A",
                                                [(sender_organ, samples.UBND.organ_name)])
            receiver_secret = hub.register_system("tinh-b", "Tỉnh B",
                                                  [(receiver_organ, samples.SNV.organ_name)])
            db.session.commit()
        seen: list[tuple[str, frozenset[str], str, bool]] = []
        record_requests(app, seen)
        with serve(app) as base:
            print(f"hub: {base}/axis (SQLite, systems tinh-a serving {sender_organ}, tinh-b "
                  f"serving {receiver_organ}); SDK: {lib.name}/SDKVXP-2.0.1.jar from {repo}")
            print(f"package: {package.stat().st_size} bytes, signed, "
                  f"{len(samples.ATTACHMENTS)} attachments")
            run = subprocess.run(
                ["java", "-cp", f"{classpath}{os.pathsep}{classes}", "SdkAgainstHub",
                 f"{base}/axis", "tinh-a", sender_secret, sender_organ,
                 "tinh-b", receiver_secret, receiver_organ, str(package), str(work / "store")],
                # getEdoc's filePath is relative to the working directory: kept in the temp.
                cwd=work, capture_output=True, timeout=300)
            sdk_seen = first_by_operation(seen)
            seen.clear()
            our_client_calls(base, {"tinh-a": sender_secret, "tinh-b": receiver_secret},
                             sender_organ, receiver_organ, package.read_bytes())
            comparison = compare_client(sdk_seen, first_by_operation(seen))
        sys.stdout.write(run.stdout.decode("utf-8", "replace"))
        print("our client beside the SDK, as the hub received them:")
        for line in comparison:
            print(f"  {line}")
        differences = sum(line.startswith("FAIL") for line in comparison)
        if os.environ.get("AXIS_REFERENCE_TRACE"):  # the SDK's whole trace, for debugging
            Path(os.environ["AXIS_REFERENCE_TRACE"]).write_bytes(run.stderr)
        if run.returncode != 0:
            print("the SDK's own trace (last lines):")
            for line in run.stderr.decode("utf-8", "replace").splitlines()[-15:]:
                print(f"  | {line}")
        with app.app_context():
            db.engine.dispose()
        print(f"RESULT sdk={'ok' if run.returncode == 0 else 'FAILED'} "
              f"client_operations={len(comparison) - differences}/{len(comparison)} alike")
        return 1 if run.returncode != 0 or differences else 0


if __name__ == "__main__":
    sys.exit(main())
