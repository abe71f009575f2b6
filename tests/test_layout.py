"""Layout rules: our package names resolve here, and imports point one way."""

import ast
import importlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["agents", "graphs", "tools", "prompts", "memory", "api", "evals", "sandbox"]

# package -> packages it must never import
FORBIDDEN = {
    "tools": {"agents", "graphs", "api", "memory", "sandbox", "evals"},
    "memory": {"agents", "graphs", "api", "sandbox", "evals"},
    "prompts": {"agents", "graphs", "api", "sandbox", "evals"},
    "agents": {"graphs", "api", "sandbox", "evals"},
    "graphs": {"api", "sandbox", "evals"},
}


@pytest.mark.parametrize("name", PACKAGES)
def test_package_resolves_inside_this_repo(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_loop_cannot_see_the_injected_fault() -> None:
    """Nothing in agents/, graphs/ or the analysis code imports the sandbox."""
    scanned = [p for pkg in ("agents", "graphs", "tools") for p in (ROOT / pkg).rglob("*.py")]
    assert len(scanned) > 10
    assert [str(p) for p in scanned if "sandbox" in _imported_roots(p)] == []


def test_langgraph_json_points_at_the_incident_graph() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    path, _, attribute = config["graphs"]["incident"].partition(":")
    module_name = path.removeprefix("./").removesuffix(".py").replace("/", ".")
    graph = getattr(importlib.import_module(module_name), attribute)
    assert {"detect", "diagnose", "plan", "review", "await_approval", "execute", "verify"} <= set(
        graph.nodes
    )
