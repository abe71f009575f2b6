"""The API server freezes its startup heap once it has opened its stores."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings


def test_the_api_server_freezes_its_startup_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr("api.app.freeze_startup_heap", lambda: calls.append("frozen"))
    with TestClient(create_app(ApiSettings(data_dir=tmp_path / "adsh"))):
        assert calls == ["frozen"]
