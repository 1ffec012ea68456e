"""Writing the directory's external agencies: one entered by the super-administrator, or
the national agency list imported from CSV (OrganId, name, parent).

All or nothing: every line is checked first, and one bad line refuses the whole file with
every problem named by its line number, so a directory is never half-imported. Lines for an
OrganId already known are updated (the list is re-imported when the ministry publishes a new
one); nothing is deleted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from eoffice import audit
from eoffice.errors import InvalidInput
from eoffice.extensions import db
from eoffice.organisation.directory import normalise_organ_id, search_text_for
from eoffice.organisation.models import DirectoryOrgan
from eoffice.timestamps import utcnow

#: Accepted header spellings, folded to lower case, for each column (``code``/``pcode`` are
#: the national axis's agency list fields).
_COLUMNS = {
    "organ_id": ("organid", "organ_id", "code", "mã định danh", "ma dinh danh", "madinhdanh"),
    "name": ("name", "organname", "tên", "ten", "tên cơ quan", "ten co quan"),
    "parent": ("parent", "parentorganid", "parent_organ_id", "pcode", "cơ quan cấp trên",
               "co quan cap tren"),
}
MAX_NAME = 255
#: A national list is a few thousand lines (≈ 200 kB); anything far bigger is not one.
MAX_CSV_BYTES = 5 * 1024 * 1024


class DirectoryImportError(InvalidInput):
    """The file was refused; ``problems`` names each bad line (nothing was written)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Tệp danh bạ không được nhập: " + "; ".join(problems[:20])
                         + (f"; và {len(problems) - 20} lỗi khác" if len(problems) > 20 else ""))
        self.problems = problems


@dataclass
class ImportResult:
    """What an import did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    organ_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    number: int
    organ_id: str
    name: str
    parent: str | None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # Excel writes a BOM; other tools do not
    except UnicodeDecodeError:
        raise DirectoryImportError(["tệp không phải văn bản UTF-8"]) from None


def _columns(header: list[str]) -> dict[str, int]:
    folded = [cell.strip().lower() for cell in header]
    found: dict[str, int] = {}
    for column, names in _COLUMNS.items():
        for index, cell in enumerate(folded):
            if cell in names:
                found[column] = index
                break
    missing = [c for c in ("organ_id", "name") if c not in found]
    if missing:
        raise DirectoryImportError(["dòng 1: thiếu cột OrganId hoặc name (dòng đầu phải là "
                                    "tiêu đề: OrganId,name,parent)"])
    return found


def parse_directory_csv(data: bytes) -> list[_Line]:
    """The file's lines, checked; ``DirectoryImportError`` listing every bad one."""
    if len(data) > MAX_CSV_BYTES:
        raise DirectoryImportError([f"tệp lớn quá {MAX_CSV_BYTES // (1024 * 1024)} MB"])
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise DirectoryImportError(["tệp rỗng"]) from None
    columns = _columns(header)
    lines: list[_Line] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(column: str, row: list[str] = row) -> str:
                index = columns.get(column)
                return row[index].strip() if index is not None and index < len(row) else ""

            organ_id = normalise_organ_id(cell("organ_id"))
            name = " ".join(cell("name").split())
            raw_parent = cell("parent")
            parent = normalise_organ_id(raw_parent) if raw_parent else None
            if organ_id is None:
                problems.append(f"dòng {number}: mã định danh “{cell('organ_id')}” không "
                                "đúng dạng 000.00.00.H41")
            elif organ_id in seen:
                problems.append(f"dòng {number}: mã định danh {organ_id} trùng với dòng "
                                f"{seen[organ_id]}")
            if not name:
                problems.append(f"dòng {number}: thiếu tên cơ quan")
            elif len(name) > MAX_NAME:
                problems.append(f"dòng {number}: tên cơ quan dài quá {MAX_NAME} ký tự")
            if raw_parent and parent is None:
                problems.append(f"dòng {number}: mã cơ quan cấp trên “{raw_parent}” không "
                                "đúng dạng 000.00.00.H41")
            if organ_id is not None and organ_id not in seen:
                seen[organ_id] = number
            if organ_id is not None and name:
                lines.append(_Line(number, organ_id, name, parent))
    except csv.Error as error:
        problems.append(f"dòng {reader.line_num}: không đọc được ({error})")
    if problems:
        raise DirectoryImportError(problems)
    return lines


def import_directory(data: bytes, *, source: str = "csv", actor: object | None = None,
                     file_name: str = "") -> ImportResult:
    """Add or update the file's agencies in the directory, all or nothing. The caller
    commits."""
    lines = parse_directory_csv(data)
    wanted = [line.organ_id for line in lines]
    known: dict[str, DirectoryOrgan] = {}
    for start in range(0, len(wanted), 1000):  # bound parameters per query stay few
        known.update((o.organ_id, o) for o in db.session.execute(
            select(DirectoryOrgan).where(DirectoryOrgan.organ_id.in_(wanted[start:start + 1000]))
        ).scalars())
    result = ImportResult()
    now = utcnow()
    for line in lines:
        organ = known.get(line.organ_id)
        if organ is None:
            organ = DirectoryOrgan(organ_id=line.organ_id, address="", email="", telephone="")
            db.session.add(organ)
            result.added += 1
        elif (organ.name, organ.parent_organ_id) == (line.name, line.parent):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        organ.name = line.name
        organ.parent_organ_id = line.parent
        organ.source = source
        organ.search_text = search_text_for(line.organ_id, line.name)
        organ.updated_at = now
        result.organ_ids.append(line.organ_id)
    db.session.flush()
    audit.record(actor, "directory_imported", "directory", source, file=file_name,
                 added=result.added, updated=result.updated, unchanged=result.unchanged)
    return result


def save_directory_organ(actor: object | None, *, organ_id: str, name: str,
                         parent_organ_id: str | None = None, address: str = "",
                         email: str = "", telephone: str = "") -> DirectoryOrgan:
    """Add an external agency to the directory, or correct the one with this OrganId. The
    caller commits."""
    normalised = normalise_organ_id(organ_id)
    if normalised is None:
        raise InvalidInput("Mã định danh cơ quan phải có dạng 000.00.00.H41.")
    parent = normalise_organ_id(parent_organ_id) if parent_organ_id else None
    if parent_organ_id and parent is None:
        raise InvalidInput("Mã cơ quan cấp trên phải có dạng 000.00.00.H41.")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"Tên cơ quan là bắt buộc (tối đa {MAX_NAME} ký tự).")
    organ = db.session.execute(
        select(DirectoryOrgan).where(DirectoryOrgan.organ_id == normalised)
    ).scalar_one_or_none()
    created = organ is None
    if organ is None:
        organ = DirectoryOrgan(organ_id=normalised)
        db.session.add(organ)
    organ.name, organ.parent_organ_id, organ.source = name, parent, "manual"
    organ.address, organ.email, organ.telephone = address.strip(), email.strip(), \
        telephone.strip()
    organ.search_text = search_text_for(normalised, name)
    organ.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "directory_organ_added" if created else "directory_organ_changed",
                 "directory_organ", organ.id, organ_id=normalised, name=name)
    return organ
