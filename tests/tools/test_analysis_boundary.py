"""tools.analysis stands alone: it never imports the sandbox it is tested against."""

import ast
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parents[2] / "tools" / "analysis"


def test_analysis_never_imports_the_sandbox() -> None:
    offenders = []
    for path in ANALYSIS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "sandbox"]
    assert offenders == []
