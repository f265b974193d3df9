"""Start and stop the Streamlit app as a subprocess, and a Chromium for it (used by the browser test and bench)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coach.errors import CoachError
from coach.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class RunningApp:
    """A started app: its URL, the process and how long it took to answer its health check."""

    url: str
    process: subprocess.Popen[bytes]
    seconds_to_up: float
    log: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def streamlit_app(env: dict[str, str], log: Path, timeout: float = 90.0) -> Iterator[RunningApp]:
    """Run `streamlit run ui/app.py` on a free local port with extra environment `env`; stop it afterwards."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "ui" / "app.py"),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",  # no Deploy button or developer menu for learners and coaches
    ]  # fmt: skip
    full_env = {**os.environ, **env}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=full_env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        try:
            url = f"http://127.0.0.1:{port}"
            while not _answers(f"{url}/_stcore/health"):
                if process.poll() is not None:
                    raise CoachError(f"the app exited with code {process.returncode}; see {log}")
                if time.perf_counter() - start > timeout:
                    raise CoachError(f"the app did not answer within {timeout:.0f} s; see {log}")
                time.sleep(0.05)
            yield RunningApp(url, process, time.perf_counter() - start, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
