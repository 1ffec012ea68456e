from tests.services.libreoffice import (  # noqa: F401
    converter,
    soffice,
    uno_python,
    warm_converter,
)
