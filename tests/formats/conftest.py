from tests.services.libreoffice import converter, soffice  # noqa: F401
