"""The package's layering, read from its imports (every import, also those inside functions):
the data model and the version sit at the bottom, and the fine-tuned tagger shares code with
the rule baseline only through modules of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "claimcheck"


def source(module: str) -> Path | None:
    """The file of ``claimcheck.<module>`` (a package's ``__init__.py``), None outside the package."""
    base = PACKAGE / module.replace(".", "/")
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def imports(module: str) -> set[str]:
    """The modules that ``claimcheck.<module>`` imports (``from a import b`` gives ``a``)."""
    tree = ast.parse(source(module).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


#: modules that import nothing of the package: anything may import them
LEAVES = {"claimcheck.errors", "claimcheck.files", "claimcheck.version"}


def test_leaves_import_nothing_of_the_package():
    for leaf in LEAVES:
        assert not {m for m in imports(leaf.removeprefix("claimcheck.")) if m.startswith("claimcheck")}, leaf


def test_data_model_imports_no_other_claimcheck_module():
    # the report used to import the HTML renderer (which imports the data model): a cycle
    assert {m for m in imports("data") if m.startswith("claimcheck")} <= LEAVES


def test_version_is_a_leaf_that_nothing_takes_from_the_package_face():
    assert imports("version") == set()
    users = [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE]
    for path in users:
        module = str(path.relative_to(PACKAGE).with_suffix(""))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "claimcheck":
                assert "__version__" not in {a.name for a in node.names}, module


def reach(module: str) -> set[str]:
    """Every claimcheck module that ``module`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in imports(todo.pop()):
            inner = name.removeprefix("claimcheck.")
            if name.startswith("claimcheck.") and inner not in seen and source(inner):
                seen.add(inner)
                todo.append(inner)
    return seen


@pytest.mark.parametrize("module", ["models.tagger", "models.type_head", "models.source_context"])
def test_the_tagger_borrows_nothing_from_the_rule_baseline(module: str):
    assert reach(module) & {"models.baseline", "models.rules", "models.type_classifier"} == set()


def test_renderers_do_not_import_each_other():
    # the HTML report and the text formats once shared wording through each other: a circle
    assert "claimcheck.formats" not in imports("html")
    assert "claimcheck.wording" in imports("html") and "claimcheck.wording" in imports("formats")
