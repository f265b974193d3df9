"""The OpenAI-compatible path end to end: the real `openai` client (through ChatOpenAI) against a small
OpenAI-compatible server on 127.0.0.1 that returns scripted tool calls, and the offline fallback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from coach.agent import build_agent
from coach.context import CoachContext
from coach.grounding import Grounder
from coach.settings import get_settings
from coach.texts import load_text


class ScriptedOpenAIServer:
    """POST /v1/chat/completions answers from a script: a dict is a message, an int an HTTP error status."""

    def __init__(self) -> None:
        self.script: list[Any] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                step = server.script.pop(0) if server.script else {"content": "ok"}
                if isinstance(step, int):
                    payload = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}})
                    self.send_response(step)
                else:
                    message = {"role": "assistant", "content": step.get("content")}
                    finish = "stop"
                    if step.get("tool_calls"):
                        message["tool_calls"] = [
                            {
                                "id": f"call_{i}",
                                "type": "function",
                                "function": {"name": name, "arguments": json.dumps(args)},
                            }
                            for i, (name, args) in enumerate(step["tool_calls"])
                        ]
                        finish = "tool_calls"
                    payload = json.dumps(
                        {
                            "id": "chatcmpl-test",
                            "object": "chat.completion",
                            "created": 0,
                            "model": body.get("model", "scripted"),
                            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                        }
                    )
                    self.send_response(200)
                data = payload.encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAIServer]:
    server = ScriptedOpenAIServer()
    yield server
    server.close()


@pytest.fixture
def remote_agent(monkeypatch: pytest.MonkeyPatch, agent_fakes, offline_engine):
    """An agent configured, through settings, for an OpenAI-compatible server at `base_url`."""
    from conftest import AgentFakeCatalog

    def make(base_url: str):
        monkeypatch.setenv("COACH_CHAT_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
        monkeypatch.setenv("COACH_CHAT_MODEL", "scripted-model")
        monkeypatch.setenv("COACH_CHAT_TIMEOUT_S", "5")
        get_settings.cache_clear()
        try:
            return build_agent(
                CoachContext(get_settings()),
                offline=offline_engine,
                backends=agent_fakes.backends(),
                db_url="memory",
                grounder=Grounder(AgentFakeCatalog(), load_text("system_prompt.md")),
            )
        finally:
            get_settings.cache_clear()

    return make


def test_remote_model_drives_tools_through_the_openai_client(openai_server, remote_agent) -> None:
    openai_server.script = [
        {"tool_calls": [("search_knowledge", {"query": "Security+", "kind": "credential"})]},
        {"content": "CompTIA Security+ costs USD 404; see https://www.comptia.org/certifications/security"},
    ]
    agent = remote_agent(openai_server.url)
    assert agent.model_label == "openai:scripted-model"
    r = agent.run_turn("How much does Security+ cost?", "ana")
    assert r.tool_calls == [
        {"name": "search_knowledge", "args": {"query": "Security+", "kind": "credential"}}
    ]
    assert r.grounded and r.model == "openai:scripted-model" and not r.notices
    assert r.assistant.startswith("CompTIA Security+ costs USD 404")
    first, second = openai_server.requests
    assert first["model"] == "scripted-model"
    assert {t["function"]["name"] for t in first["tools"]} >= {
        "search_knowledge",
        "analyze_posting",
        "plan_pathway",
        "draft_presentation",
        "update_profile",
        "submit_for_review",
    }
    assert first["messages"][0]["role"] == "system" and "<learner_profile>" in first["messages"][0]["content"]
    tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool_msgs and tool_msgs[0]["tool_call_id"] == "call_0" and "404" in tool_msgs[0]["content"]
    assert openai_server.headers[0]["authorization"] == "Bearer sk-test-key"


def test_remote_profile_update_is_remembered(openai_server, remote_agent) -> None:
    openai_server.script = [
        {"tool_calls": [("update_profile", {"hours_per_week": 7, "current_role": "barista"})]},
        {"content": "Noted: 7 hours a week."},
    ]
    agent = remote_agent(openai_server.url)
    agent.run_turn("I'm a barista and can study 7 hours a week", "bo")
    profile = agent.get_profile("bo")
    assert profile.constraints.hours_per_week == 7 and profile.current_role == "barista"
    assert '"hours_per_week": 7' in openai_server.requests[1]["messages"][0]["content"].replace("7.0", "7")


def test_server_down_falls_back_to_offline_with_a_notice(remote_agent) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    agent = remote_agent(f"http://127.0.0.1:{port}/v1")
    r = agent.run_turn("hello", "cy")
    assert r.model == "offline" and r.notices
    assert "could not be reached" in r.assistant and "Pathway Coach" in r.assistant
    assert r.grounded


def test_server_error_then_recovery_in_the_same_conversation(openai_server, remote_agent) -> None:
    openai_server.script = [500, 500, {"content": "Welcome back! What would you like to work on?"}]
    agent = remote_agent(openai_server.url)
    first = agent.run_turn("hi", "dee")
    assert first.notices and first.model == "offline"
    second = agent.run_turn("hello again", "dee")
    assert not second.notices and second.assistant.startswith("Welcome back")
    # The offline turn's messages were sent on as ordinary chat messages the server accepted.
    roles = [m["role"] for m in openai_server.requests[-1]["messages"]]
    assert roles[:2] == ["system", "user"] and roles.count("assistant") == 1


def test_remote_answer_with_invented_facts_is_repaired(openai_server, remote_agent) -> None:
    openai_server.script = [
        {
            "content": "Start with CompTIA Security+. Then the Google Quantum Security Certificate costs $49 "
            "(https://quantum.example.com). Keep going!"
        }
    ]
    agent = remote_agent(openai_server.url)
    r = agent.run_turn("what next?", "eve")
    assert not r.grounded
    assert "Quantum" not in r.assistant and "$49" not in r.assistant and "example.com" not in r.assistant
