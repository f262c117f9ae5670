"""The layout keeps its direction: `app` imports no domain, and the domains import downwards
(traceability → orders → products → farms → app). The rules are import-linter contracts in
setup.cfg; these tests run them, so `make test` fails on a violation."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint(folder: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", LINT, "--no-cache"]  # reads setup.cfg in `folder`
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)


def test_the_packages_keep_the_layout_contracts():
    result = _lint(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def _project(folder: Path, modules: dict[str, str]) -> None:
    """A tree with the project's root packages, empty but for `modules`, and its contracts."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    kept = configparser.ConfigParser(interpolation=None)
    for section in config.sections():
        if section.startswith("importlinter"):
            kept[section] = {k: v for k, v in config[section].items() if k != "ignore_imports"}
            for package in kept[section].get("root_packages", "").split():
                (folder / package).mkdir()
                (folder / package / "__init__.py").write_text("")
    with open(folder / "setup.cfg", "w", encoding="utf-8") as handle:
        kept.write(handle)
    for name, source in modules.items():
        (folder / name).write_text(source)


def test_an_import_inside_a_function_breaks_the_contracts_too(tmp_path):
    # Given app importing a domain only when a function runs (as app/main.py once did)
    _project(tmp_path, {"app/main.py": "def index():\n    from farms import queries\n"})
    (tmp_path / "farms" / "queries.py").write_text("")

    # When the contracts are checked
    result = _lint(tmp_path)

    # Then they fail, naming the import
    assert result.returncode != 0
    assert "app.main -> farms.queries" in result.stdout


def test_a_lower_domain_importing_a_higher_one_breaks_the_layers(tmp_path):
    _project(tmp_path, {"farms/services.py": "from products import catalog\n"})
    (tmp_path / "products" / "catalog.py").write_text("")

    result = _lint(tmp_path)

    assert result.returncode != 0
    assert "farms.services -> products.catalog" in result.stdout
