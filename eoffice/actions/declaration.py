"""One declaration per action: what it takes, who may do it, what it does, what it says.

An ``Action`` names its kind (documents, tasks, meetings), its typed input (a pydantic model:
the schema, the validation and the OpenAPI request body at once), the service that performs
it (which holds the permission and the rule, and records the history), and its success
message. ``routes`` derives from it the page route (a form post that flashes the message and
returns to the object's page) and the JSON route ``POST /api/v1/<kind>/<id>/actions/<name>``;
``openapi`` derives the OpenAPI operation. A page never offers an action the API lacks,
because both come from here.

A ``Kind`` holds what its actions share: the one access helper that loads the object (a 404
for what the person may not see), where its page is, how it reads in JSON, and what follows
a committed act (notifications, purging revoked content).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, WithJsonSchema
from werkzeug.datastructures import FileStorage

#: An uploaded file field (multipart). In OpenAPI: a binary string.
Upload = Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})]


class ActionInput(BaseModel):
    """Base of every action's input (an empty form field counts as not given: see
    ``parsing``)."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True,
                              str_strip_whitespace=True)


class NoInput(ActionInput):
    """For actions that take nothing but the object."""


@dataclass(frozen=True)
class Kind:
    """What the actions on one kind of object share."""

    #: URL segment and OpenAPI tag: "documents", "tasks", "meetings".
    name: str
    #: The one access helper: the object ``user`` may see, else ``NotFound`` (a 404 for
    #: everyone, whether it does not exist or is not theirs to see).
    load: Callable[[Any, int], Any]
    #: Where a page goes after an act on the object (its detail page).
    page_url: Callable[[Any], str]
    #: The API's answer after an act, from the service's result.
    as_json: Callable[[Any], dict[str, Any]]
    #: The object an action's result is about (a service may return a wrapper).
    subject_of: Callable[[Any], Any] = lambda result: result
    #: Called after the act committed, with the service's result (send notices, purge).
    after_commit: Callable[[Any], None] = lambda result: None
    #: The URL parameter the kind's page and API routes use for the object's id.
    id_param: str = "object_id"
    #: OpenAPI schema name of ``as_json``'s answer.
    schema_name: str = "Object"

    def named(self, name: str) -> Kind:
        """The same kind of object acted on under another name (its own routes, OpenAPI tag and
        actions): loaded, shown, answered and followed up exactly as this one, so a module's
        acts on another module's object do not restate its rules."""
        return replace(self, name=name)


@dataclass(frozen=True)
class Action:
    """One thing a person can do to an object, declared once."""

    kind: Kind
    #: URL segment of the API route (``/api/v1/<kind>/<id>/actions/<name>``).
    name: str
    #: One line, in Vietnamese, for buttons' titles and OpenAPI.
    summary: str
    #: The typed input. Field titles are the Vietnamese labels used in error messages.
    input: type[ActionInput]
    #: ``perform(actor, object, data)``: the service holding the permission and the rule; it
    #: records the history and raises ``eoffice.errors`` refusals. Returns the service result.
    perform: Callable[[Any, Any, Any], Any]
    #: The success message (or a function of the result giving it).
    message: str | Callable[[Any], str]
    #: The page route's rule, relative to the kind's blueprint (e.g. ``/<int:document_id>/sign``),
    #: and its endpoint name; None when the page posts through a generic route.
    page_rule: str | None = None
    page_endpoint: str | None = None
    #: Further URL parameters of the page rule that are fields of the input (e.g. an answer's
    #: ``consultation_id``).
    path_fields: tuple[str, ...] = field(default_factory=tuple)
    #: Old API paths kept working (relative to /api/v1, with the kind's id parameter);
    #: marked deprecated in OpenAPI.
    api_aliases: tuple[str, ...] = field(default_factory=tuple)

    def message_for(self, result: Any) -> str:
        return self.message(result) if callable(self.message) else self.message

    @property
    def api_rule(self) -> str:
        return f"/{self.kind.name}/<int:{self.kind.id_param}>/actions/{self.name}"

    @property
    def takes_files(self) -> bool:
        return any(_is_upload(f.annotation) for f in self.input.model_fields.values())


def _is_upload(annotation: Any) -> bool:
    if annotation is FileStorage:
        return True
    return any(_is_upload(arg) for arg in getattr(annotation, "__args__", ()) or ())


_REGISTRY: dict[tuple[str, str], Action] = {}


def declare(*actions: Action) -> None:
    """Add actions to the registry; declaring the same kind and name twice is a bug."""
    for action in actions:
        key = (action.kind.name, action.name)
        if key in _REGISTRY and _REGISTRY[key] is not action:
            raise ValueError(f"action {key} declared twice")
        _REGISTRY[key] = action


def registry(kind: str | None = None) -> list[Action]:
    """Every declared action (of one kind), in declaration order."""
    return [a for a in _REGISTRY.values() if kind is None or a.kind.name == kind]


def find(kind: str, name: str) -> Action | None:
    return _REGISTRY.get((kind, name))
