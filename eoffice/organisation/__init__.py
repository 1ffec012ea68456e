"""Organisations (edXML OrganId), their units as a tree, and positions; the installation's
many organisations and the directory recipients are picked from."""

from __future__ import annotations

from typing import Any

from flask import Flask

from eoffice.accounts.roles import Role
from eoffice.extension_points import register


def _super_admin(user: Any) -> bool:
    return Role.SUPER_ADMIN in user.roles


def _picks_recipients(user: Any) -> bool:
    return bool(user.roles & {Role.SUPER_ADMIN, Role.CLERK})


def init_app(app: Flask) -> None:
    """Plug the module in: the super-administrator's pages and API, the directory API,
    what a new organisation is given, the ``organisations`` commands and the demo's other
    organisations."""
    from eoffice.demo import seed_other_organisations
    from eoffice.organisation import provisioning
    from eoffice.organisation.api import SCHEMAS, api
    from eoffice.organisation.cli import register_cli
    from eoffice.organisation.directory_views import bp as directory_bp
    from eoffice.organisation.views import bp
    from eoffice.web.navigation import NavEntry, register_nav

    app.register_blueprint(bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(api)
    register(app, "api_schemas", SCHEMAS)
    register(app, "organisation_provisioners", provisioning.default_registers)
    register(app, "organisation_provisioners", provisioning.demo_seal_certificate)
    register_nav(app, NavEntry("Cơ quan", "organisations.index", _super_admin))
    register_nav(app, NavEntry("Danh bạ cơ quan", "directory.index", _picks_recipients))
    register_cli(app)
    # `flask seed-demo`: after the province (seed_demo); gives its people their demo
    # certificates, signature and seal images itself (whatever order seeders run in).
    register(app, "demo_seeders", seed_other_organisations)
