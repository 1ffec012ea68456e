"""Organisations (edXML OrganId), their units as a tree, and positions; the installation's
many organisations and the directory recipients are picked from."""

from __future__ import annotations

from flask import Flask

from eoffice.extension_points import register


def init_app(app: Flask) -> None:
    """Plug the module in: the directory API and its OpenAPI schemas."""
    from eoffice.organisation.api import SCHEMAS, api

    app.register_blueprint(api)
    register(app, "api_schemas", SCHEMAS)
