"""The routes every declared action gets: a page route and a JSON route, both thin.

Page: ``POST <page_rule>`` (a form with its CSRF token) → the success message flashed and
back to the object's page. API: ``POST /api/v1/<kind>/<id>/actions/<name>`` (JSON, or
multipart when a file goes with it) → the object as JSON. Refusals are ``eoffice.errors``
raised by the service and answered once for the whole app (``eoffice.web.domain_errors``):
a page gets its message back, the API a JSON error with the status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.actions.declaration import Action, registry
from eoffice.actions.parsing import parse_input
from eoffice.extensions import db


def _perform(action: Action, object_id: int, path_values: dict[str, Any]) -> Any:
    subject = action.kind.load(current_user, object_id)
    data = parse_input(action, path_values)
    result = action.perform(current_user, subject, data)
    db.session.commit()
    action.kind.after_commit(result)
    return result


def page_view(action: Action) -> Any:
    def view(**path: Any) -> ResponseReturnValue:
        object_id = path.pop(action.kind.id_param)
        result = _perform(action, object_id, {k: path[k] for k in action.path_fields if k in path})
        flash(action.message_for(result), "success")
        return redirect(action.kind.page_url(action.kind.subject_of(result)), code=303)

    view.__name__ = action.page_endpoint or action.name
    view.__doc__ = action.summary
    return login_required(view)


def api_view(action: Action, *, alias: bool = False) -> Any:
    def view(**path: Any) -> ResponseReturnValue:
        object_id = path.pop(action.kind.id_param)
        result = _perform(action, object_id, {k: path[k] for k in action.path_fields if k in path})
        payload = action.kind.as_json(result)
        payload.setdefault("message", action.message_for(result))
        return jsonify(payload), 200

    view.__name__ = f"{action.kind.name}_{action.name}"
    view.__doc__ = action.summary
    wrapped = login_required(view)
    wrapped.action = action  # type: ignore[attr-defined]  # read by eoffice.api.openapi
    wrapped.deprecated = alias  # type: ignore[attr-defined]
    return wrapped


def add_page_routes(blueprint: Blueprint, kind: str) -> None:
    """Give every action of ``kind`` that has a page rule its page route on ``blueprint``."""
    for action in registry(kind):
        if action.page_rule:
            blueprint.add_url_rule(action.page_rule, endpoint=action.page_endpoint or action.name,
                                   view_func=page_view(action), methods=["POST"])


def add_api_routes(blueprint: Blueprint, kind: str) -> None:
    """Give every action of ``kind`` its JSON route (and old aliases) on ``blueprint``, whose
    prefix is /api/v1."""
    for action in registry(kind):
        blueprint.add_url_rule(action.api_rule, endpoint=f"action_{action.name}",
                               view_func=api_view(action), methods=["POST"])
        for number, alias in enumerate(action.api_aliases):
            blueprint.add_url_rule(alias, endpoint=f"action_{action.name}_alias{number}",
                                   view_func=api_view(action, alias=True), methods=["POST"])
