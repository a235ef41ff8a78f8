"""Run `scripts/cluster` (what `make cluster` runs) on free loopback ports, drive conversations through
its load balancer, break its parts, and read what PostgreSQL recorded. Used by tests/cluster and
evaluation/cluster_bench.py."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_base_port() -> int:
    """A base port p with p, p+1, p+2, p+10 and p+11 free (load balancer, two servers, PostgreSQL, Redis)."""
    for _ in range(200):
        base = random.randint(20000, 40000)
        try:
            for offset in (0, 1, 2, 10, 11):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Turn:
    sender: str
    text: str
    message_id: str
    status: int = 0
    replies: list = field(default_factory=list)
    error: str = ""


class Cluster:
    def __init__(self, state_dir: Path, servers: int = 2):
        self.base, self.action_port, self.web_port = free_base_port(), free_port(), free_port()
        self.state = state_dir
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("TELEGRAM_", "SLACK_", "ANKLE_COACH_DB", "ANKLE_COACH_REDIS"))
            },
            "RASA_PORT": str(self.base),
            "ACTION_PORT": str(self.action_port),
            "WEB_PORT": str(self.web_port),
            "ANKLE_COACH_CLUSTER_DIR": str(state_dir),
            "ANKLE_COACH_RASA_SERVERS": str(servers),
            # the limits are a feature, not what these tests measure
            "ANKLE_COACH_RATE_PER_SENDER": "100000",
            "ANKLE_COACH_RATE_PER_ADDRESS": "100000",
            "ANKLE_COACH_ACTION_RESTART_SECONDS": "4",
        }
        self.process: Optional[subprocess.Popen] = None
        self.log_path = state_dir.parent / f"cluster-{self.base}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    def start(self, timeout: float = 400) -> float:
        started = time.monotonic()
        self.state.parent.mkdir(parents=True, exist_ok=True)
        # a restart appends to the log: only what this start printed counts
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            ["scripts/cluster"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/cluster exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            if "cluster is ready" in self.log_text()[offset:]:
                return time.monotonic() - started
            time.sleep(1)
        raise TimeoutError(f"cluster not ready in {timeout} s:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        return self.log_path.read_bytes().decode(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def remove_data(self) -> None:
        """The local PostgreSQL data of this cluster (it lives outside the checkout when run as root)."""
        for line in (self.state.parent / f"cluster-{self.base}.log").read_text(errors="replace").splitlines():
            if "Creating the PostgreSQL cluster in " in line:
                shutil.rmtree(line.split(" in ", 1)[1].strip(), ignore_errors=True)
        # the state folder (logs included) stays in pytest's temporary folder for a failure's post-mortem

    def pid(self, name: str) -> int:
        return int((self.state / "pids" / f"{name}.pid").read_text())

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        pid = self.pid(name)
        os.kill(pid, sig)
        return pid

    def wait_restarted(self, name: str, old_pid: int, health: Optional[str] = None, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.pid(name) != old_pid and (health is None or requests.get(health, timeout=2).ok):
                    return
            except (OSError, ValueError, requests.RequestException):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{name} was not started again")

    def say(self, turn: Turn) -> Turn:
        try:
            response = requests.post(
                f"{self.url}/webhooks/rest/webhook",
                timeout=120,
                json={"sender": turn.sender, "message": turn.text, "message_id": turn.message_id},
            )
            turn.status = response.status_code
            turn.replies = (
                response.json() if response.headers.get("content-type", "").startswith("application/json") else []
            )
        except (requests.RequestException, ValueError) as error:
            turn.error = type(error).__name__
        return turn

    # ---- what PostgreSQL recorded ------------------------------------------------------------------
    def events(self, sender: str) -> List[dict]:
        import sqlalchemy as sa  # noqa: PLC0415

        url = dict(line.split("=", 1) for line in (self.state / "env").read_text().splitlines())["ANKLE_COACH_DB_URL"]
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
                ).fetchall()
        finally:
            engine.dispose()
        return [json.loads(row[0]) for row in rows]


def run_conversations(
    cluster: Cluster,
    scripts: Dict[str, List[str]],
    tag: str,
    during: Optional[Tuple[int, callable]] = None,
    clients: int = 32,
) -> List[Turn]:
    """Each conversation's turns in order, all conversations at once. ``during``: (after how many
    answered turns in all, what to do then) - the fault, injected while the load runs."""
    done = [0]
    lock = threading.Lock()
    fired = threading.Event()

    def converse(sender: str) -> List[Turn]:
        turns = []
        for number, text in enumerate(scripts[sender]):
            turns.append(cluster.say(Turn(f"{sender}", text, f"{tag}-{number}")))
            with lock:
                done[0] += 1
                fire = during is not None and done[0] >= during[0] and not fired.is_set()
                if fire:
                    fired.set()
            if fire:
                threading.Thread(target=during[1], daemon=True).start()
        return turns

    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(converse, scripts))
    return [turn for turns in results for turn in turns]


@dataclass
class Audit:
    """Per fault: turns lost (not recorded, or recorded without an answer), recorded twice, and 5xx."""

    lost: int = 0
    duplicated: int = 0
    server_errors: int = 0
    failed_requests: int = 0
    unanswered: int = 0
    problems: List[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "lost": self.lost,
            "duplicated": self.duplicated,
            "5xx": self.server_errors,
            "failed_requests": self.failed_requests,
            "unanswered": self.unanswered,
        }


def audit(cluster: Cluster, turns: List[Turn]) -> Audit:
    result = Audit()
    for turn in turns:
        if turn.error:
            result.failed_requests += 1
            result.problems.append(f"{turn.sender} {turn.message_id}: {turn.error}")
        elif turn.status >= 500:
            result.server_errors += 1
            result.problems.append(f"{turn.sender} {turn.message_id}: HTTP {turn.status}")
        elif not any(reply.get("text") for reply in turn.replies):
            result.unanswered += 1
            result.problems.append(f"{turn.sender} {turn.message_id}: no answer")
    by_sender: Dict[str, List[Turn]] = {}
    for turn in turns:
        by_sender.setdefault(turn.sender, []).append(turn)
    for sender, sent in by_sender.items():
        events = cluster.events(f"rest:{sender}")
        ids = [e.get("message_id") for e in events if e["event"] == "user"]
        for turn in sent:
            recorded = ids.count(f"rest-{turn.message_id}")
            if recorded == 0:
                result.lost += 1
                result.problems.append(f"{sender} {turn.message_id}: not recorded (answered {_first_text(turn)!r})")
            elif recorded > 1:
                result.duplicated += recorded - 1
                result.problems.append(f"{sender} {turn.message_id}: recorded {recorded} times")
        # in order, and each turn's answer before the next message: no two turns interleave
        wanted = [f"rest-{t.message_id}" for t in sent]
        order = list(dict.fromkeys(i for i in ids if i in wanted))
        if order != [w for w in wanted if w in order]:
            result.problems.append(f"{sender}: turns recorded out of order {order}")
        for before, after in zip(_user_positions(events), _user_positions(events)[1:] + [len(events)]):
            if events[before].get("message_id") in wanted and not any(
                e["event"] == "bot" for e in events[before + 1 : after]
            ):
                result.lost += 1
                result.problems.append(f"{sender} {events[before].get('message_id')}: recorded without an answer")
    return result


def _first_text(turn: Turn) -> str:
    """The start of the first reply the runner got: tells a real answer from a last-resort one."""
    texts = [reply.get("text") for reply in turn.replies if reply.get("text")]
    return texts[0][:60] if texts else ""


def _user_positions(events: List[dict]) -> List[int]:
    return [i for i, e in enumerate(events) if e["event"] == "user"]


def slots_now(events: List[dict]) -> Dict[str, object]:
    """The conversation's slot values in its current session, from its recorded events."""
    values: Dict[str, object] = {}
    for event in events:
        if event["event"] == "session_started":
            values = {}
        elif event["event"] == "slot":
            values[event["name"]] = event["value"]
    return values
