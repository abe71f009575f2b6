"""Schemathesis over the OpenAPI document: no 5xx, responses match the schema, any input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from api.settings import ApiSettings
from tests.api.support import LiveServer, auth, serving, token_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.fuzz,
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]
EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("fuzz") / "adsh"
    app = create_app(ApiSettings(data_dir=data_dir, max_body_bytes=64 * 1024), token_store())
    with serving(app) as live:
        yield live


def operations(server: LiveServer) -> list[schemathesis.APIOperation]:
    loaded = schemathesis.openapi.from_url(server.url + "/openapi.json")
    schema = loaded.exclude(path="/v1/events")  # an endless stream; see test_events
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


def test_api_never_fails_on_any_input(server: LiveServer) -> None:
    ops = operations(server)
    assert len(ops) >= 12
    for operation in ops:
        fuzz(operation, server.url)
    assert server.app.state.adsh.service.worker.wait_idle(300)


def fuzz(operation: schemathesis.APIOperation, base_url: str) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def run(case: schemathesis.Case) -> None:
        # pat is operator + approver: most operations get past auth into validation.
        case.call_and_validate(base_url=base_url, headers=auth("pat"), checks=CHECKS)

    run()
