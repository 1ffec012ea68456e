"""No import cycle in project code, counting imports made inside functions; and no new
function-local imports (the usual way a cycle is hidden) outside commands and ``init_app``.

Function-local imports that exist today are listed in ``function_local_imports.txt`` and may
only go away: the test fails on a new one and on a listed one that is gone (remove its line).
"""

from __future__ import annotations

from pathlib import Path

from tests.foundation.import_graph import ImportSite, cycles, import_sites

BASELINE = Path(__file__).with_name("function_local_imports.txt")



def allowed_in_function(site: ImportSite) -> bool:
    """Commands and plug-in registration import late on purpose: loading a command module or
    registering a module must not load everything it might call."""
    module_leaf = site.importer.rpartition(".")[2]
    return (
        module_leaf in ("cli", "__main__")
        or site.importer == "wsgi"
        or site.in_function in ("init_app", "register_cli", "_register_cli", "create_app")
        or (site.importer == "eoffice" and (site.in_function or "").startswith(("_init",
                                                                                 "_register")))
    )


def key(site: ImportSite) -> str:
    return f"{site.importer} -> {site.imported} in {site.in_function}()"


def test_no_import_cycle_anywhere() -> None:
    assert cycles(import_sites()) == []


def test_no_new_function_local_project_import() -> None:
    current = sorted({key(s) for s in import_sites() if s.in_function and not
                      allowed_in_function(s)})
    listed = [line for line in BASELINE.read_text().splitlines()
              if line and not line.startswith("#")]
    new = sorted(set(current) - set(listed))
    gone = sorted(set(listed) - set(current))
    assert new == [], "import at module level instead (or break the cycle that needs it)"
    assert gone == [], f"remove these lines from {BASELINE.name}"
