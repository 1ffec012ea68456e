"""A backup folder: what it holds, how it is written, checked and restored.

Layout of ``DIR``::

    manifest.json       format, time, database dialect and revision, sha256/size of each part
    database.sqlite3    (or database.pgdump: pg_dump's custom format)
    objects.jsonl       one line per object: key, size, sha256
    objects/ab/cd/KEY   every object of the store, copied (S3 included: a bucket can be lost
                        or emptied with the database, so a reference to it would not restore)
    secrets.sealed      the PKI folder and the secret key, encrypted with the backup passphrase
    anchors/NAME.json   the audit anchors kept beside the objects (TSA tokens; not secret)

Consistency: the database is dumped first, then the objects are listed and copied. Objects are
content-addressed and never change, so every object the dump names is in the copy (the sweep
removes only objects nobody names, and only after a day's grace); objects stored after the dump
are extra and harmless.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from eoffice.audit import anchor_files
from eoffice.backup import database, sealed
from eoffice.timestamps import utcnow
from storage import ObjectStore
from storage.base import CHUNK_SIZE

FORMAT = "eoffice-backup-1"
MANIFEST = "manifest.json"
OBJECT_LIST = "objects.jsonl"
OBJECT_DIR = "objects"
SECRETS = "secrets.sealed"
SECRET_KEY_ENTRY = "secret_key"
ANCHOR_DIR = "anchors"


class BackupError(RuntimeError):
    """A backup cannot be written, is damaged, or cannot be restored here; says why."""


@dataclass
class VerifiedBackup:
    """A backup whose every part matched the manifest (and, given the passphrase, opened)."""

    folder: Path
    manifest: dict[str, Any]
    secrets: bytes | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def object_path(folder: Path, key: str) -> Path:
    return folder / OBJECT_DIR / key[:2] / key[2:4] / key


def create(folder: Path, *, engine: Engine, store: ObjectStore, pki_dir: Path,
           secret_key: str, passphrase: str, revision: str | None) -> dict[str, Any]:
    """Write a backup into ``folder`` (absent or empty). It is built beside it and renamed
    into place when complete, so ``folder`` never holds half a backup."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; choose a new folder for each backup")
    work = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    # Owner only: the dump and the objects are every document of the organisation.
    work.mkdir(parents=True, mode=0o700)
    try:
        dialect = engine.url.get_backend_name()
        dump_name = database.dump_name(dialect)
        database.dump(engine, work / dump_name)
        count, total = _copy_objects(store, work)
        secrets = sealed.pack_folder(pki_dir, {SECRET_KEY_ENTRY: secret_key.encode()})
        (work / SECRETS).write_bytes(sealed.seal(secrets, passphrase))
        anchors = []
        (work / ANCHOR_DIR).mkdir()
        for name, content in anchor_files.read_all(store):
            (work / ANCHOR_DIR / name).write_bytes(content)
            anchors.append(f"{ANCHOR_DIR}/{name}")
        parts = {}
        for name in (dump_name, OBJECT_LIST, SECRETS, *anchors):
            digest, size = sha256_file(work / name)
            parts[name] = {"sha256": digest, "size": size}
        manifest = {
            "format": FORMAT, "created_at": utcnow().isoformat(), "dialect": dialect,
            "revision": revision, "database": dump_name, "parts": parts,
            "objects": {"count": count, "bytes": total, "mode": "copied"},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        if folder.exists():
            folder.rmdir()
        os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _copy_objects(store: ObjectStore, work: Path) -> tuple[int, int]:
    """Copy every object, verified on the way (``fetch_to`` checks the hash before the file
    appears), and list them with their hash and size."""
    count = total = 0
    with (work / OBJECT_LIST).open("w") as listing:
        for item in sorted(store.list_objects(), key=lambda listed: listed.key):
            target = object_path(work, item.key)
            target.parent.mkdir(parents=True, exist_ok=True)
            stored = store.fetch_to(item.key, target)
            listing.write(json.dumps({"key": item.key, "size": stored.size,
                                      "sha256": stored.sha256}) + "\n")
            count += 1
            total += stored.size
    return count, total


def _object_lines(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / OBJECT_LIST).open() as listing:
        for line in listing:
            if line.strip():
                yield json.loads(line)


def verify(folder: Path, passphrase: str | None) -> VerifiedBackup:
    """Check every part against the manifest, every object against its key, and (with the
    passphrase) that the sealed secrets open. Collects every problem, never stops at one."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not an eoffice backup")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    result = VerifiedBackup(folder, manifest)
    for name, expected in manifest["parts"].items():
        path = folder / name
        if not path.is_file():
            result.problems.append(f"{name}: missing")
            continue
        digest, size = sha256_file(path)
        if (digest, size) != (expected["sha256"], expected["size"]):
            result.problems.append(f"{name}: sha256/size differ from the manifest")
    if any(problem.startswith(OBJECT_LIST) for problem in result.problems):
        return result  # the list itself cannot be trusted: checking objects by it is moot
    count = 0
    for entry in _object_lines(folder):
        key = entry["key"]
        path = object_path(folder, key)
        count += 1
        if not path.is_file():
            result.problems.append(f"object {key}: missing")
            continue
        digest, size = sha256_file(path)
        if digest != key or size != entry["size"]:
            result.problems.append(f"object {key}: content does not match its hash")
    if count != manifest["objects"]["count"]:
        result.problems.append(f"{OBJECT_LIST}: {count} objects, manifest says "
                               f"{manifest['objects']['count']}")
    if passphrase is not None and SECRETS in manifest["parts"]:
        try:
            result.secrets = sealed.unseal((folder / SECRETS).read_bytes(), passphrase)
        except (sealed.SealError, OSError) as error:
            result.problems.append(f"{SECRETS}: {error}")
    return result


def refusals_to_restore(engine: Engine, store: ObjectStore, pki_dir: Path) -> list[str]:
    """What makes this installation non-empty (a restore never overwrites anything)."""
    found = []
    if not database.is_empty(engine):
        found.append("cơ sở dữ liệu đã có bảng (hãy dùng một cơ sở dữ liệu mới, trống)")
    if next(iter(store.list_objects()), None) is not None:
        found.append("kho lưu trữ tệp đã có đối tượng")
    if next(iter(anchor_files.read_all(store)), None) is not None:
        found.append("kho lưu trữ tệp đã có tệp neo nhật ký (anchors/)")
    if pki_dir.exists() and any(pki_dir.iterdir()):
        found.append(f"thư mục PKI {pki_dir} không trống")
    return found


def restore(checked: VerifiedBackup, *, engine: Engine, store: ObjectStore,
            pki_dir: Path) -> bytes:
    """Rebuild the installation from a verified backup; returns the backed-up secret key.

    Order: the PKI is unpacked beside its place, the objects are put, the PKI folder takes
    its place, and the database is loaded last, in one transaction: the commit point. On any
    failure the objects put are deleted and the PKI removed: the installation is empty again.
    """
    if not checked.ok or checked.secrets is None:
        raise BackupError("the backup was not verified with its passphrase")
    dialect = engine.url.get_backend_name()
    if checked.manifest["dialect"] != dialect:
        raise BackupError(f"this backup is of a {checked.manifest['dialect']} database; "
                          f"this installation uses {dialect}")
    staging = pki_dir.with_name(f".{pki_dir.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    put: list[str] = []
    anchors_written: list[str] = []
    placed_pki = False
    try:
        extra = sealed.unpack(checked.secrets, staging)
        for entry in _object_lines(checked.folder):
            with object_path(checked.folder, entry["key"]).open("rb") as handle:
                stored = store.put(handle)
            put.append(stored.key)
            if stored.key != entry["key"]:
                raise BackupError(f"object {entry['key']} changed while being restored")
        for part in checked.manifest["parts"]:
            if part.startswith(ANCHOR_DIR + "/"):
                name = part.removeprefix(ANCHOR_DIR + "/")
                anchor_files.write(store, name, (checked.folder / part).read_bytes())
                anchors_written.append(name)
        restored_pki = staging / "pki"
        if restored_pki.is_dir():
            if pki_dir.exists():
                pki_dir.rmdir()  # empty, as checked before
            os.replace(restored_pki, pki_dir)
            placed_pki = True
        database.restore(engine, checked.folder / checked.manifest["database"])
    except BaseException:
        for key in put:
            store.delete(key)
        for name in anchors_written:
            anchor_files.remove(store, name)
        if placed_pki:
            shutil.rmtree(pki_dir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return extra[SECRET_KEY_ENTRY]
