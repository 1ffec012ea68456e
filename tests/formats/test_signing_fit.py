"""A Decree 30 draft goes through the real signing steps at the places measured on its PDF."""

from __future__ import annotations

import logging
import subprocess
from datetime import date
from pathlib import Path

import pytest

from formats.conversion import Converter
from formats.drafting import (
    build_draft_docx,
    format_number,
    format_place_date,
    locate_reserved_areas,
)
from tests.formats.samples import DECISION
from tests.services.require import require_executable

logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@pytest.mark.slow
def test_leader_signs_clerk_numbers_and_seals_all_signatures_stay_valid(
    converter: Converter, tmp_path: Path
) -> None:
    from signing import DemoPKI, DocumentSigner, load_pkcs12
    from signing.appearance import (
        LeaderAppearance,
        SealAppearance,
        demo_seal_png,
        demo_signature_png,
    )
    from signing.fields import DATE_FIELD, NUMBER_FIELD, ReservedFields, fill_fields
    from signing.sign import Role

    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    DemoPKI.init(tmp_path / "pki", org="UBND tỉnh Hòa Bình")
    pki = DemoPKI.open(tmp_path / "pki")
    leader_p12 = pki.issue_user("Nguyễn Văn Đức", "246810", title="Phó Chủ tịch",
                                org="UBND tỉnh Hòa Bình")
    seal_p12 = pki.issue_seal("Ủy ban nhân dân tỉnh Hòa Bình", "135790")
    leader = DocumentSigner(load_pkcs12(leader_p12.pkcs12, "246810"), pki=pki)
    sealer = DocumentSigner(load_pkcs12(seal_p12.pkcs12, "135790"), pki=pki)

    pdf = converter.docx_to_pdf(build_draft_docx(DECISION))
    areas = locate_reserved_areas(pdf, DECISION)
    # The draft prints authority, title and name itself: the appearance only adds the image.
    signed = leader.sign(
        pdf, level="B-B", role=Role.LEADER,
        leader=LeaderAppearance(name=" ", title=" ", image_png=demo_signature_png("Đức"),
                                font_size=4, page=areas.signature_page,
                                rect=areas.signature_rect),
        reserve=ReservedFields(number_rect=areas.number_rect, date_rect=areas.date_rect,
                               page=areas.header_page),
    )
    assert signed is not None
    when = format_place_date(DECISION.place, date(2026, 2, 5))
    numbered = fill_fields(signed, {NUMBER_FIELD: format_number(15), DATE_FIELD: when})
    assert numbered is not None
    sealed = sealer.sign(numbered, level="B-B", role=Role.ORG,
                         seal=SealAppearance(demo_seal_png("Ủy ban nhân dân tỉnh Hòa Bình")))
    assert sealed is not None
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    report = subprocess.run([pdfsig, str(path)], capture_output=True, text=True).stdout
    assert report.count("Signature is Valid") == 2, report
