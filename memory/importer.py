"""Import past incidents: JSONL records and Markdown postmortems with YAML front matter."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from memory.models import IncidentRecord


class MemoryImportError(ValueError):
    """A file or line that cannot be imported; the message names the file and line."""


def load_records(path: Path) -> list[IncidentRecord]:
    """Records from a .jsonl file or a Markdown postmortem (.md), validated."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MemoryImportError(f"cannot read {path}: {exc}") from exc
    if path.suffix.lower() in {".md", ".markdown"}:
        return [_postmortem(path, text)]
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return [_json_line(path, n, line) for n, line in _lines(text)]
    raise MemoryImportError(f"{path}: expected a .jsonl file or a .md postmortem")


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _json_line(path: Path, number: int, line: str) -> IncidentRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MemoryImportError(f"{path}:{number}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise MemoryImportError(f"{path}:{number}: expected a JSON object")
    return _record(f"{path}:{number}", data)


def _postmortem(path: Path, text: str) -> IncidentRecord:
    if not text.startswith("---"):
        raise MemoryImportError(f"{path}: a postmortem starts with YAML front matter between '---'")
    _, _, rest = text.partition("---")
    header, sep, body = rest.partition("\n---")
    if not sep:
        raise MemoryImportError(f"{path}: the front matter has no closing '---'")
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise MemoryImportError(f"{path}: invalid front matter: {exc}") from None
    if not isinstance(meta, dict):
        raise MemoryImportError(f"{path}: the front matter must be a YAML mapping")
    summary = "\n\n".join(p for p in (str(meta.get("summary", "")), body.strip()) if p)
    return _record(str(path), {**meta, "summary": summary})


def _record(where: str, data: dict[str, Any]) -> IncidentRecord:
    tags = [*_as_list(data.pop("categories", [])), *_as_list(data.pop("tags", []))]
    title = str(data.get("title", "")).strip()
    summary = str(data.get("summary", "")).strip()
    if not title or not summary:
        raise MemoryImportError(f"{where}: needs a title and a summary")
    body = {**data, "title": title, "summary": f"{title}\n{summary}", "tags": tags}
    body.setdefault(
        "id", "import-" + hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()[:12]
    )
    body["id"] = str(body["id"])
    body["source"] = "import"
    fields = set(IncidentRecord.model_fields)
    try:
        return IncidentRecord.model_validate({k: v for k, v in body.items() if k in fields})
    except ValidationError as exc:
        raise MemoryImportError(
            f"{where}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
        ) from None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value or []]
