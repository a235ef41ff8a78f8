"""Run the real servers with scripts/serve (exactly what `make serve` runs) on free ports."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CHANNEL_ENV_PREFIXES = ("TELEGRAM_", "SLACK_")
TRACKER_DB = ROOT / "var" / "trackers.db"


def stored_events(sender_id: str) -> list:
    """The conversation's events as the tracker store keeps them (Rasa's HTTP API is off)."""
    import json  # noqa: PLC0415
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(TRACKER_DB) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)).fetchall()
    return [json.loads(row[0]) for row in rows]


class Servers:
    def __init__(self, env: Optional[Dict[str, str]] = None):
        """``env``: extra environment for scripts/serve. Telegram/Slack settings of the calling shell
        are not passed on, so without ``env`` those channels are off."""
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(CHANNEL_ENV_PREFIXES)}
        env = {
            **inherited,
            **(env or {}),
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "WEB_PORT": str(self.web_port),
        }
        (ROOT / "var").mkdir(exist_ok=True)
        self.log_path = ROOT / "var" / f"e2e-serve-{self.rasa_port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            ["scripts/serve"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started = time.monotonic()

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def wait_ready(self, timeout: float = 300) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                if (
                    "Ankle Coach is ready" in self.log_path.read_text(errors="replace")
                    and requests.get(f"{self.rasa}/health", timeout=2).ok
                    and requests.get(f"http://127.0.0.1:{self.action_port}/health", timeout=2).ok
                ):
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError("servers not ready")

    def say(self, sender: str, message: str) -> list:
        response = requests.post(
            f"{self.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        self.log.close()
