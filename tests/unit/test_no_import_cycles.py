"""No module of the product imports itself back through others (issue 15), TYPE_CHECKING imports
included: a reader following them still goes round in a circle.

import-linter's acyclic_siblings contract (pyproject.toml, run by scripts/test) keeps the modules of
every package free of cycles among themselves; it does not see a package's __init__ and one of its
own modules importing each other, which this test does. Both read the root packages from the same
[tool.importlinter] section.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def root_packages() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text())
    return list(config["tool"]["importlinter"]["root_packages"])


def import_graph(*packages: str) -> grimp.ImportGraph:
    return grimp.build_graph(
        *packages, include_external_packages=False, exclude_type_checking_imports=False, cache_dir=None
    )


def import_cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each cycle once, as the chain of imports from its first module (by name) back to it."""
    cycles: dict[frozenset[str], tuple[str, ...]] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycle = (importer, *back)
                cycles.setdefault(frozenset(cycle), cycle)
    return list(cycles.values())


def write_package(root: Path, name: str, modules: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    for module, source in modules.items():
        (package / f"{module}.py").write_text(source)


def test_no_module_of_the_product_imports_itself_back_through_others() -> None:
    cycles = import_cycles(import_graph(*root_packages()))

    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_an_import_made_only_for_type_checking_closes_a_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_package(
        tmp_path,
        "typed_loop",
        {
            "__init__": "",
            "switch": "from typed_loop.program import run\n",
            "program": "from typing import TYPE_CHECKING\n\n"
            "if TYPE_CHECKING:\n    from typed_loop.switch import Switch\n\n"
            "def run(switch: 'Switch') -> None: ...\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert import_cycles(import_graph("typed_loop")) == [
        ("typed_loop.program", "typed_loop.switch", "typed_loop.program")
    ]


def test_a_package_and_one_of_its_own_modules_importing_each_other_is_a_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_package(
        tmp_path,
        "package_loop",
        {
            "__init__": "from package_loop.simulator import Simulator\n\nDEFAULT_NUMBERS = ('+442079460000',)\n",
            "simulator": "from package_loop import DEFAULT_NUMBERS\n\nclass Simulator: ...\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert import_cycles(import_graph("package_loop")) == [
        ("package_loop", "package_loop.simulator", "package_loop")
    ]
