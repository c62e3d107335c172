"""What the app changes in its process while it serves, and puts back when it stops."""

from __future__ import annotations

import gc

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import GC_THRESHOLDS


def test_the_cycle_collector_runs_less_often_while_the_app_serves(app: FastAPI) -> None:
    before = gc.get_threshold()
    with TestClient(app):
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before
