"""A batch that keeps losing races to concurrent writers is a 503 to retry, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eventsourcing.persistence import IntegrityError
from fastapi.testclient import TestClient

from api.services import Services
from tests.api.conftest import Post
from tests.factories import configure_conference


def test_a_batch_that_always_loses_the_race_answers_503_and_records_nothing(
        client: TestClient, post: Post, services: Services, head: Callable[[], int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Given every attempt to save meets a concurrent writer (an optimistic-concurrency conflict)
    def always_conflicts(*_args: object, **_kwargs: object) -> None:
        raise IntegrityError("a concurrent writer got there first")

    monkeypatch.setattr(services.ledger, "_check_batch", always_conflicts)
    # When a batch is posted
    response = post(configure_conference())
    # Then the sender is told to retry, and nothing was recorded
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["type"].endswith("/contended")
    monkeypatch.undo()
    assert head() == 0
