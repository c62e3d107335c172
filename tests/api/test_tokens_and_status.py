"""Token management over HTTP, liveness and the status endpoint (contract §2 and §7)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from tests.api.conftest import Post
from tests.api.problems import assert_problem
from tests.factories import configure_conference, define_ticket


def test_an_issued_token_is_shown_once_and_works(client: TestClient,
                                                 admin_headers: dict[str, str]) -> None:
    # When an admin issues a viewer token for one conference
    response = client.post("/api/v1/tokens", json={"role": "viewer", "conference": "pycon"},
                           headers=admin_headers)
    # Then the answer carries the token once, with its id, role and conference
    assert response.status_code == 201
    issued = response.json()
    assert set(issued) == {"token_id", "token", "role", "conference"}
    assert (issued["role"], issued["conference"]) == ("viewer", "pycon")
    assert issued["token"].startswith("clt_") and len(issued["token"]) > 40
    # And it authenticates
    status = client.get("/api/v1/status", headers={"Authorization": f"Bearer {issued['token']}"})
    assert status.status_code == 200
    # And the list shows it without any secret
    listed = client.get("/api/v1/tokens", headers=admin_headers).json()["tokens"]
    mine = [t for t in listed if t["token_id"] == issued["token_id"]]
    assert mine and set(mine[0]) == {"token_id", "role", "conference", "created_at", "revoked_at"}
    assert issued["token"] not in str(listed)


def test_a_token_for_all_conferences_has_a_null_conference(client: TestClient,
                                                            admin_headers: dict[str, str]) -> None:
    issued = client.post("/api/v1/tokens", json={"role": "auditor"}, headers=admin_headers)
    assert issued.json()["conference"] is None


@pytest.mark.parametrize("body", [{"role": "root"}, {}, {"role": "viewer", "extra": 1},
                                  {"role": "viewer", "conference": "no spaces"}])
def test_an_invalid_token_request_is_422(client: TestClient, admin_headers: dict[str, str],
                                         body: dict[str, object]) -> None:
    response = client.post("/api/v1/tokens", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_revoking_shows_in_the_list_and_unknown_ids_are_404(client: TestClient,
                                                            admin_headers: dict[str, str]) -> None:
    token_id = client.post("/api/v1/tokens", json={"role": "ingest"},
                           headers=admin_headers).json()["token_id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin_headers).status_code == 204
    listed = {t["token_id"]: t for t in
              client.get("/api/v1/tokens", headers=admin_headers).json()["tokens"]}
    assert listed[token_id]["revoked_at"] is not None
    assert_problem(client.delete("/api/v1/tokens/tok_unknown", headers=admin_headers), 404)


def test_healthz_needs_no_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_status_reports_the_head_position_to_readers_but_not_to_ingest_tokens(
        client: TestClient, post: Post, make_token: Callable[..., str]) -> None:
    ingest = {"Authorization": f"Bearer {make_token('ingest', conference='pycon')}"}
    assert_problem(client.get("/api/v1/status", headers=ingest), 403)  # "nothing else"
    headers = {"Authorization": f"Bearer {make_token('viewer', conference='pycon')}"}
    assert client.get("/api/v1/status", headers=headers).json() == {"head": 0, "projectors": []}
    position = post(configure_conference(), define_ticket()).json()["position"]
    assert client.get("/api/v1/status", headers=headers).json()["head"] == position


def test_status_lists_what_the_projector_runner_reports(
        client: TestClient, services: Services, admin_headers: dict[str, str]) -> None:
    services.projector_status = lambda: [{"name": "sales", "position": 0, "lag_events": 0}]
    body = client.get("/api/v1/status", headers=admin_headers).json()
    assert body["projectors"] == [{"name": "sales", "position": 0, "lag_events": 0}]


def test_listeners_hear_the_head_after_each_batch_that_recorded_something(
        post: Post, services: Services) -> None:
    # Given a listener, the way the projector runner attaches
    heard: list[int] = []
    services.on_recorded.append(heard.append)
    # When a batch is recorded, then sent again
    batch = [configure_conference(), define_ticket()]
    position = post(*batch).json()["position"]
    post(*batch)
    # Then the listener heard the new position once: a batch of duplicates writes nothing
    assert heard == [position]


def test_a_failing_listener_does_not_fail_the_recorded_batch(post: Post,
                                                             services: Services) -> None:
    def broken(_position: int) -> None:
        raise RuntimeError("projector runner is down")

    services.on_recorded.append(broken)
    assert post(configure_conference()).status_code == 201
