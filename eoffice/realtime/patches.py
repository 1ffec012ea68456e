"""Where third-party internals are replaced, and on which versions.

Each replacement was written against one release of its library and relies on internals
that release does not promise to keep. ``install_all`` (called by the app factory, never on
import) installs each one only when the installed version is the one it was written for; on
any other version it keeps the library's stock path and warns once, so an upgrade costs speed,
never correctness. ``tests/foundation/test_patches.py`` fails on an upgrade until each one is
reviewed and its ``WRITTEN_FOR`` moved.
"""

from __future__ import annotations

import signing
from eoffice.realtime import direct_send
from eoffice.version_guard import WrittenFor

__all__ = ["WrittenFor", "install_all"]


def install_all() -> dict[str, bool]:
    """Install every replacement that applies to this process; say which are active."""
    return {
        "pyhanko hex-string reader": signing.install_speedups(),
        "engineio direct send": direct_send.install(),
    }
