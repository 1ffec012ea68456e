"""Which release of a library a replacement of its internals was written for.

Used by every such replacement (``eoffice/realtime/patches.py`` lists them): on any other
release the replacement stays off and the library's stock path runs, with one warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WrittenFor:
    """The distribution and exact version a replacement of its internals was written for."""

    distribution: str
    version: str

    def matches(self) -> bool:
        """True when the installed version is this one; otherwise warn and say False."""
        installed = version(self.distribution)
        if installed == self.version:
            return True
        logger.warning(
            "%s %s is installed; the replacement of its internals was written for %s and "
            "stays off (stock behaviour, slower). Review it and update WRITTEN_FOR.",
            self.distribution, installed, self.version)
        return False
