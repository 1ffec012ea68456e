"""The whole installation (eoffice with meetings plugged in), as the route walk needs it."""

from tests.meetings.conftest import mapp, prepared  # noqa: F401
