"""Load benchmark of the review API: a real `coach serve` on loopback, 50 concurrent clients (httpx async).

Measures latency (median, p95) and throughput for POST /pathways/plan (the real planner over the real
catalogue) and GET /pathways/{id}. Run: `python evals/bench_api.py [--quick] [--workers N]`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
PROFILE = REPO / "tests" / "data" / "profiles" / "ana_retail_to_security.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db_url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "COACH_DATABASE_URL": db_url,
        "COACH_RATE_LIMIT_PER_MINUTE": "1000000",  # measure the service, not the limiter
        "COACH_SECRET_KEY": "bench-secret-0123456789abcdef0123",
        "COACH_CHAT_PROVIDER": "offline",
    }
    cmd = [
        sys.executable,
        "-c",
        "from coach.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"coach serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _load(base: str, clients: int, per_client: int, make: Any) -> dict[str, Any]:
    """`clients` concurrent clients each send `per_client` requests built by make(i) -> (method, url, json, hdrs)."""
    latencies: list[float] = []
    codes: dict[int, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(i: int, http: httpx.AsyncClient) -> None:
        for _ in range(per_client):
            method, url, body, headers = make(i)
            t = time.perf_counter()
            try:
                r = await http.request(method, url, json=body, headers=headers)
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
            except httpx.HTTPError:
                codes[0] = codes.get(0, 0) + 1
            latencies.append((time.perf_counter() - t) * 1000)

    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(i, http) for i in range(clients)))
        wall = time.perf_counter() - start
    return {"lat": latencies, "codes": codes, "wall": wall, "rps": len(latencies) / wall}


def _rows(name: str, res: dict[str, Any], target: str, note: str) -> list[dict[str, Any]]:
    ok = res["codes"].get(200, 0)
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(res["codes"].items()))
    return [
        {
            "name": f"{name} latency",
            "unit": "ms",
            "median": round(statistics.median(res["lat"]), 1),
            "p95": round(_percentile(res["lat"], 0.95), 1),
            "n": len(res["lat"]),
            "target": target,
            "note": f"{note}; status codes {codes}; {ok} ok",
        },
        {
            "name": f"{name} throughput",
            "unit": "req/s",
            "median": round(res["rps"], 1),
            "p95": None,
            "n": len(res["lat"]),
            "target": "",
            "note": f"{len(res['lat'])} requests in {res['wall']:.1f} s",
        },
    ]


def run(quick: bool = False, workers: int = 2, clients: int = 50) -> list[dict]:
    """Start a server, load it with `clients` concurrent clients, return benchmark rows."""
    profile = json.loads(PROFILE.read_text(encoding="utf-8"))
    plan_each, get_each = (1, 10) if quick else (2, 40)
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        proc, base = _start(f"sqlite:///{Path(tmp) / 'bench.db'}", workers)
        try:
            headers: list[dict[str, str]] = []
            with httpx.Client(base_url=base, timeout=300) as c:
                for i in range(clients):
                    c.post("/auth/register", json={"username": f"bench{i}", "password": "bench-password"})
                    tok = c.post("/auth/token", data={"username": f"bench{i}", "password": "bench-password"})
                    headers.append({"Authorization": f"Bearer {tok.json()['access_token']}"})
                    c.put("/me/profile", json=profile, headers=headers[-1])
                # Warm every worker's catalogue and planner (first plan per process loads them).
                warm = [c.post("/pathways/plan", json={}, headers=headers[0]) for _ in range(workers * 2)]
                plan = warm[-1]
                if plan.status_code != 200:
                    raise RuntimeError(f"plan failed: {plan.status_code} {plan.text[:300]}")
                ids = []
                for h in headers:
                    r = c.post("/pathways", json={"pathway": plan.json(), "title": "bench"}, headers=h)
                    ids.append(r.json()["id"])
            plan_res = asyncio.run(
                _load(base, clients, plan_each, lambda i: ("POST", "/pathways/plan", {}, headers[i]))
            )
            get_res = asyncio.run(
                _load(base, clients, get_each, lambda i: ("GET", f"/pathways/{ids[i]}", None, headers[i]))
            )
        finally:
            _stop(proc)
    note = f"{clients} concurrent clients, coach serve --workers {workers}, SQLite WAL, loopback, 2 cores"
    return [
        *_rows(
            "POST /pathways/plan", plan_res, "p95 < 30000 ms on 2 cores", note + "; real planner, Ana profile"
        ),
        *_rows("GET /pathways/{id}", get_res, "p95 < 500 ms", note),
    ]


def main() -> None:
    """Print the rows as JSON lines."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    for row in run(quick=args.quick, workers=args.workers, clients=args.clients):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
