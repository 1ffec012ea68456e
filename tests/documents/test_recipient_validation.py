"""An internal recipient of an issued document sees the same validation panel as those who
made it (issue #11): the official copy, then each signature valid, on their page that shows
nothing of how the document was made."""

from __future__ import annotations

from flask import Flask

from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.jobs import queue
from tests.conftest import login
from tests.documents import test_signing, test_validation_panel
from tests.documents.test_validation_panel import issued_document_id

pki_dir, sapp = test_signing.pki_dir, test_signing.sapp
seeded = test_validation_panel.seeded


def test_a_recipient_sees_the_validation_panel_of_the_official_copy(seeded: Flask) -> None:
    with seeded.app_context():
        document_id = issued_document_id()  # delivered to thuky by name
        official_file_id = db.session.get(Document, document_id).current_version.file_id
        db.session.remove()
    client = seeded.test_client()
    login(client, "thuky")
    page = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'id="official-copy"' in page and "Các phiên bản" not in page  # the recipient page
    assert 'data-testid="validation-pending"' in page

    with seeded.app_context():
        assert queue.drain() == 1
        db.session.remove()
    page = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'data-testid="validation-panel"' in page
    assert f"/files/{official_file_id}/download" in page
    assert page.count('data-valid="yes"') == 2 and 'data-valid="no"' not in page
    assert "Lãnh đạo ký ban hành" in page and "Chữ ký số của cơ quan (con dấu)" in page
    # Its official copy can be downloaded by the recipient from the panel's link.
    assert client.get(f"/files/{official_file_id}/download").status_code == 200
