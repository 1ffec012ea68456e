"""A real LibreOffice for document conversion tests (skip locally, fail under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from formats.conversion import Converter
from tests.services.require import require_executable

HOW = "apt-get install libreoffice-writer-nogui fonts-liberation2"


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of the soffice executable."""
    return require_executable("soffice", HOW)


@pytest.fixture(scope="session")
def converter(soffice: str) -> Iterator[Converter]:
    """One warm converter (private profile) shared by the session."""
    with Converter(soffice, timeout=120) as conv:
        yield conv
