"""Actions declared once: the page route, the API route, validation and OpenAPI come from
one declaration (see ``declaration``)."""

from eoffice.actions.declaration import Action, ActionInput, Kind, Upload, declare, registry

__all__ = ["Action", "ActionInput", "Kind", "Upload", "declare", "registry"]
