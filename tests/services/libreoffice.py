"""A real LibreOffice for document conversion tests (skip locally, fail under CI=true)."""

from __future__ import annotations

import importlib.util
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from formats.conversion import Converter, WarmConverter
from formats.warm_converter import SYSTEM_PYTHON
from tests.services.require import missing, require_executable

HOW = "apt-get install libreoffice-writer-nogui fonts-liberation2"
HOW_UNO = "apt-get install python3-uno; pip install -r requirements.txt (unoserver)"


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of the soffice executable."""
    return require_executable("soffice", HOW)


@pytest.fixture(scope="session")
def converter(soffice: str) -> Iterator[Converter]:
    """One warm converter (private profile) shared by the session."""
    with Converter(soffice, timeout=120) as conv:
        yield conv


@pytest.fixture(scope="session")
def uno_python(soffice: str) -> str:
    """The system Python with LibreOffice's ``uno`` module, and unoserver in our venv."""
    if importlib.util.find_spec("unoserver") is None:
        missing("the unoserver package", HOW_UNO)
    has_uno = Path(SYSTEM_PYTHON).exists() and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False
    ).returncode == 0
    if not has_uno:
        missing(f"python3-uno ({SYSTEM_PYTHON} -c 'import uno')", HOW_UNO)
    return SYSTEM_PYTHON


@pytest.fixture(scope="session")
def warm_converter(soffice: str, uno_python: str) -> Iterator[WarmConverter]:
    """One LibreOffice kept running behind unoserver, shared by the session (already up)."""
    with WarmConverter(soffice, python=uno_python, timeout=120) as conv:
        if not conv.start():
            pytest.fail("the warm converter did not start (see the log above)", pytrace=False)
        yield conv
