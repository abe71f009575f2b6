"""Loads prompt templates (prompts/*.md) and renders them at call time, hashed for provenance."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).parent
_VERSION = re.compile(r"\A<!--\s*version:\s*(\S+)\s*-->\n")


class PromptError(ValueError):
    """A missing template or a value the template needs that was not given."""


@dataclass(frozen=True)
class RenderedPrompt:
    """A template filled in: the system and user text, and what produced them."""

    name: str
    version: str
    system: str
    user: str

    @property
    def template(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.system}\n---\n{self.user}".encode()).hexdigest()


def render(name: str, values: dict[str, str], directory: Path = PROMPTS_DIR) -> RenderedPrompt:
    """Template `name` (file name.md: a version comment, the system part, ---, the user part)."""
    path = directory / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt template {name!r} in {directory}")
    text = path.read_text(encoding="utf-8")
    match = _VERSION.match(text)
    if match is None:
        raise PromptError(f"prompt {path} must start with '<!-- version: N -->'")
    system, sep, user = text[match.end() :].partition("\n---\n")
    if not sep:
        raise PromptError(f"prompt {path} needs a '---' line between system and user parts")
    try:
        return RenderedPrompt(
            name,
            match.group(1),
            Template(system).substitute(values).strip(),
            Template(user).substitute(values).strip(),
        )
    except KeyError as exc:
        raise PromptError(f"prompt {name!r} needs a value for {exc.args[0]!r}") from exc
