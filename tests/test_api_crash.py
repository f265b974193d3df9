"""Kill -9 the server in the middle of a burst of writes: the database stays consistent and keeps every
acknowledged write (SQLite WAL and PostgreSQL)."""

from __future__ import annotations

import signal
import threading
import time

import httpx
from sqlalchemy import text

from coach.store import consistency, make_engine, session_factory
from tests.conftest import api_sample_pathway, api_start_server, api_stop_server

WRITERS = 6


def test_kill_during_write_burst_leaves_database_consistent(api_db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    proc, base = api_start_server(api_db_url, tmp_path, workers=2)
    acknowledged: list[int] = []  # pathway ids the server answered 201 for
    versions_acked: list[tuple[int, int]] = []
    stop = threading.Event()
    body = {"pathway": api_sample_pathway().model_dump(mode="json"), "title": "burst"}
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            for i in range(WRITERS):
                c.post("/auth/register", json={"username": f"writer{i}", "password": "writer-password"})
            tokens = [
                c.post("/auth/token", data={"username": f"writer{i}", "password": "writer-password"}).json()[
                    "access_token"
                ]
                for i in range(WRITERS)
            ]
            assert (
                c.post("/pathways", json=body, headers={"Authorization": f"Bearer {tokens[0]}"}).status_code
                == 201
            )  # warm up the catalogue in at least one worker

        def writer(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, timeout=60, headers=headers) as c:
                while not stop.is_set():
                    try:
                        r = c.post("/pathways", json=body)
                        if r.status_code != 201:
                            continue
                        pid = r.json()["id"]
                        acknowledged.append(pid)
                        edit = {
                            "edits": [{"op": "move", "step_id": "fake-c", "position": 0}],
                            "allow_issues": True,
                        }
                        v = c.post(f"/pathways/{pid}/versions", json=edit)
                        if v.status_code == 201:
                            versions_acked.append((pid, v.json()["version"]))
                        c.post(f"/pathways/{pid}/submit")
                    except httpx.HTTPError:
                        return  # the server is gone

        threads = [threading.Thread(target=writer, args=(t,), daemon=True) for t in tokens]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(acknowledged) >= 20, "the burst never got going"
        api_stop_server(proc, signal.SIGKILL)  # mid-burst: writers are still sending
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        api_stop_server(proc, signal.SIGKILL)

    engine = make_engine(api_db_url)
    try:
        read, _w = session_factory(engine)
        with read() as s:
            assert consistency.consistency_problems(session=s) == []
            stored = set(s.scalars(text("SELECT id FROM pathways")))
            assert set(acknowledged) <= stored  # every acknowledged write survived the kill
            for pid, version in versions_acked:
                assert (
                    s.execute(
                        text("SELECT count(*) FROM pathway_versions WHERE pathway_id = :p AND version = :v"),
                        {"p": pid, "v": version},
                    ).scalar()
                    == 1
                )
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()

    # The server comes back on the same database and keeps working.
    proc, base = api_start_server(api_db_url, tmp_path, workers=1)
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            tok = c.post("/auth/token", data={"username": "writer0", "password": "writer-password"}).json()
            r = c.post("/pathways", json=body, headers={"Authorization": f"Bearer {tok['access_token']}"})
            assert r.status_code == 201 and r.json()["id"] > max(acknowledged)
    finally:
        api_stop_server(proc)
