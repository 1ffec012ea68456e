"""Batch signing: one PIN, progress per document, one bad file does not stop the rest."""

from __future__ import annotations

import pytest

from signing import validate
from signing.samples import make_pdf


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_with_a_bad_document_in_the_middle(leader_signer, pki, workers):
    docs = [(f"doc{i}.pdf", make_pdf(1, seed=i)) for i in range(5)]
    docs.insert(2, ("broken.pdf", b"%PDF-1.7\nthis is not really a pdf\n"))
    seen = []
    results = leader_signer.sign_batch(
        docs, level="B-T", workers=workers,
        progress=lambda done, total, item: seen.append((done, total, item.name)))
    assert [r.name for r in results] == [n for n, _ in docs]
    assert [r.ok for r in results] == [True, True, False, True, True, True]
    bad = results[2]
    assert bad.error_code == "bad_pdf" and bad.output is None
    assert sorted(d for d, _, _ in seen) == list(range(1, 7)) and {t for _, t, _ in seen} == {6}
    for r in results:
        if r.ok:
            assert validate(r.output, pki=pki).ok


def test_batch_from_paths(leader_signer, tmp_path):
    paths = []
    for i in range(3):
        p = tmp_path / f"f{i}.pdf"
        p.write_bytes(make_pdf(1, seed=i))
        paths.append((p.name, p))
    paths.append(("missing.pdf", tmp_path / "missing.pdf"))
    results = leader_signer.sign_batch(paths, level="B-B")
    assert [r.ok for r in results] == [True, True, True, False]
