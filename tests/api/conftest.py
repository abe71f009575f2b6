"""Fixtures for API tests: an app over a temporary data dir, named tokens, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from tests.api.support import LiveServer, serving, token_store


@pytest.fixture
def api_settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(data_dir=tmp_path / "adsh", max_body_bytes=64 * 1024)


@pytest.fixture
def app(api_settings: ApiSettings) -> FastAPI:
    return create_app(api_settings, token_store())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    with serving(app) as server:
        yield server
