"""Golden tests of the rendered prompts: a template change shows up as a reviewed text diff."""

import os
from pathlib import Path

import pytest

from agents.llm.action_params import describe_catalog
from prompts.loader import PromptError, render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ADSH_UPDATE_GOLDEN") == "1"
"""ADSH_UPDATE_GOLDEN=1 rewrites the golden files (then review the diff)."""

PLAN_VALUES = {
    "incident_id": "inc-golden-1",
    "services": "catalog, database, frontend",
    "catalog": describe_catalog(),
    "anomalies": "- catalog memory_mb: observed 1900 vs baseline 600 (z +9.1)",
    "hypotheses": "- memory_leak at catalog (confidence 0.91)\n  - [metric] memory grows",
    "recalled": "none",
}
ANSWER_VALUES = {"state": '{"id": "inc-golden-1", "status": "ESCALATED"}', "question": "why?"}


def _check(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} prompt changed: review, then update"


@pytest.mark.parametrize(("name", "values"), [("plan", PLAN_VALUES), ("answer", ANSWER_VALUES)])
def test_rendered_prompt_matches_golden(name: str, values: dict[str, str]) -> None:
    prompt = render(name, values)
    _check(
        name, f"{prompt.template}\n=== system ===\n{prompt.system}\n=== user ===\n{prompt.user}\n"
    )


def test_hash_changes_with_the_rendered_text() -> None:
    first = render("answer", ANSWER_VALUES)
    again = render("answer", dict(ANSWER_VALUES))
    other = render("answer", {**ANSWER_VALUES, "question": "what now?"})
    assert first.sha256 == again.sha256 != other.sha256
    assert first.template == "answer@1"


def test_a_missing_value_or_template_is_named() -> None:
    with pytest.raises(PromptError, match="needs a value for 'question'"):
        render("answer", {"state": "{}"})
    with pytest.raises(PromptError, match="no prompt template 'nope'"):
        render("nope", {})
