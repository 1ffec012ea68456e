"""The meetings' refusals, as members of the one tree of ``eoffice.errors``.

``MeetingError`` is what every refusal of the meeting rules is (``except MeetingError`` still
catches them all); each concrete class is also the ``eoffice.errors`` class whose status fits
the use, so the app's one handler answers pages and the API alike:

- ``MeetingInvalid`` (400): what was sent cannot be accepted (an empty title, a non-PDF, a
  wrong PIN, a deputy who is already invited);
- ``MeetingForbidden`` (403): the person sees the meeting but may not do this (a member
  preparing the agenda, the chair declining);
- ``MeetingNotFound`` (404): no such meeting *for this person*, or no such agenda item in it;
- ``MeetingConflict`` (409): not possible in the meeting's current state (it is over, the
  minutes are signed, it is not your turn to sign);
- ``MeetingLocked`` (423): signing locked after too many wrong PINs.

``str(error)`` is the Vietnamese message, safe to show.
"""

from __future__ import annotations

from eoffice.errors import Conflict, DomainError, Forbidden, InvalidInput, Locked, NotFound


class MeetingError(DomainError):
    """Any refused meeting request (no status of its own: the concrete classes bring it)."""


class MeetingInvalid(MeetingError, InvalidInput):
    """What was sent cannot be accepted."""


class MeetingForbidden(MeetingError, Forbidden):
    """The person may see the meeting but may not do this to it."""


class MeetingNotFound(MeetingError, NotFound):
    """The meeting (or an agenda item of it) does not exist for this person."""


class MeetingConflict(MeetingError, Conflict):
    """Not possible in the meeting's current state."""


class MeetingLocked(MeetingError, Locked):
    """Temporarily refused (signing locked after wrong PINs)."""


__all__ = ["MeetingConflict", "MeetingError", "MeetingForbidden", "MeetingInvalid",
           "MeetingLocked", "MeetingNotFound"]
