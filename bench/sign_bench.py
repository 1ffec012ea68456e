"""Signing benchmark: our signer vs stock pyHanko, with OpenSSL as the floor.

Prints medians per signature for 1-page, 50-page and ~10 MB PDFs at B-B, B-T
and B-LT, batch throughput, 10 MB peak memory, validation time and where the
B-B time goes; the last line is the single ``RESULT ...`` summary.

    .venv/bin/python bench/sign_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as pfields
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signing import DemoPKI, DocumentSigner, install_speedups, load_pkcs12, validate
from signing.pki import to_asn1_cert
from signing.samples import make_pdf

logging.disable(logging.WARNING)
PIN = "bench-pin"


def median_ms(fn, n: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def openssl_rsa2048_ms() -> float:
    try:
        out = subprocess.run(["openssl", "speed", "-seconds", "1", "-multi", "1", "rsa2048"],
                             capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return float("nan")
    for line in out.splitlines():
        m = re.match(r"\s*rsa\s+2048 bits\s+([\d.]+)s", line)
        if m:
            return float(m.group(1)) * 1000
    return float("nan")


class Stock:
    """What an application gets with pyHanko out of the box."""

    def __init__(self, pki: DemoPKI, p12: bytes):
        self.signer = SimpleSigner.load_pkcs12_data(p12, [], passphrase=PIN.encode())
        tsa_key = pki._key("tsa")
        from asn1crypto import keys as asn1_keys

        key_info = asn1_keys.PrivateKeyInfo.load(tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        self.tsa = DummyTimeStamper(to_asn1_cert(pki.tsa_cert), key_info,
                                    certs_to_embed=[to_asn1_cert(c) for c in pki.chain])
        self.vc = pki.validation_context()

    def sign(self, pdf: bytes, level: str) -> bytes:
        meta = PdfSignatureMetadata(
            field_name="Signature", md_algorithm="sha256",
            subfilter=pfields.SigSeedSubFilter.PADES,
            embed_validation_info=level == "B-LT",
            validation_context=self.vc if level == "B-LT" else None)
        signer = PdfSigner(meta, self.signer, timestamper=None if level == "B-B" else self.tsa)
        out = io.BytesIO()
        signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
        return out.getvalue()


def main() -> None:
    install_speedups()
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    reps = {"1p": 15 if args.quick else 40, "50p": 8 if args.quick else 20,
            "10MB": 3 if args.quick else 7}

    tmp = Path(tempfile.mkdtemp(prefix="sign-bench-"))
    pki = DemoPKI.init(tmp / "pki", org="Bench")
    issued = pki.issue_user("Bench User", PIN, title="Chuyên viên")
    ours = DocumentSigner(load_pkcs12(issued.pkcs12, PIN), pki=pki)
    stock = Stock(pki, issued.pkcs12)
    docs = {"1p": make_pdf(1), "50p": make_pdf(50), "10MB": make_pdf(2, pad_to=10 * 2**20)}

    floor = openssl_rsa2048_ms()
    print(f"cores: {os.cpu_count()}   openssl speed rsa2048 sign: {floor:.3f} ms (floor)")
    print(f"{'document':>8} {'level':>6} {'ours ms':>9} {'stock ms':>9} {'speedup':>8}")
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for name, pdf in docs.items():
        for level in ("B-B", "B-T", "B-LT"):
            n = reps[name]
            o = median_ms(lambda pdf=pdf, level=level: ours.sign(pdf, level=level), n)
            s = median_ms(lambda pdf=pdf, level=level: stock.sign(pdf, level), n)
            results[(name, level)] = (o, s)
            print(f"{name:>8} {level:>6} {o:9.1f} {s:9.1f} {s / o:7.1f}x", flush=True)

    # Batch: 100 one-page documents at B-T, two worker processes, one PIN entry.
    batch_docs = [(f"d{i}.pdf", make_pdf(1, seed=i + 1)) for i in range(100)]
    workers = min(2, os.cpu_count() or 1)
    t = time.perf_counter()
    res = ours.sign_batch(batch_docs, level="B-T", workers=workers)
    batch_s = time.perf_counter() - t
    assert all(r.ok for r in res)
    print(f"batch of 100 one-page PDFs at B-T on {workers} workers: {batch_s:.2f} s")

    # Peak memory while signing the 10 MB document (input held by the caller).
    big = docs["10MB"]
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    out = ours.sign(big, level="B-LT")
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del out
    print(f"peak extra memory signing {len(big) / 2**20:.1f} MB at B-LT: "
          f"{peak / 2**20:.1f} MB = {peak / len(big):.2f}x the input")

    # Validation of a document with three signatures.
    three = docs["1p"]
    for lv in ("B-T", "B-T", "B-LT"):
        three = ours.sign(three, level=lv)
    validate(three, pki=pki)
    val_ms = median_ms(lambda: validate(three, pki=pki), 10)
    print(f"validate 3 signatures: {val_ms:.1f} ms")

    # Where the B-B time goes.
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        ours.sign(docs["1p"], level="B-B")
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(8)
    print("top functions by own time for 20 B-B signatures:")
    print("\n".join(line for line in buf.getvalue().splitlines()
                    if re.match(r"\s+\d", line)))
    _ = asyncio  # (pyHanko drives asyncio internally)

    bb_o, bb_s = results[("1p", "B-B")]
    print(f"RESULT ours_bb_ms={bb_o:.1f} stock_bb_ms={bb_s:.1f} speedup={bb_s / bb_o:.1f} "
          f"ours_blt_ms={results[('1p', 'B-LT')][0]:.1f} batch100_bt_s={batch_s:.2f} "
          f"validate3_ms={val_ms:.1f} openssl_rsa2048_ms={floor:.3f}")


if __name__ == "__main__":
    main()
