"""Shared fixtures. Tests are offline: no test may reach the network (real HTTP only to 127.0.0.1)."""

from __future__ import annotations

import os

import pytest

# Tests never talk to a remote model, whatever the developer's shell has configured.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_OPENAI_API_KEY", "COACH_OPENAI_BASE_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _no_remote_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_CHAT_PROVIDER", os.environ.get("COACH_CHAT_PROVIDER", "offline"))
