"""`make bench`: what a runner meets, as ratios against a stock `rasa init` bot started in the same run
on the same machine (these machines are noisy, so only same-run ratios mean anything; the whole
comparison is repeated BENCH_RUNS times, default 3, and the median ratio reported).

Each bot, measured on its own (the other one stopped), with everyday messages and reused senders as in
a real chat:
- ready: seconds from start until it answers its health check;
- 1 client: p50 and p95 over sequential turns of 10 ongoing conversations;
- 8 and 32 clients: throughput, p95 and errors, each client one ongoing conversation;
- a 120-turn conversation: median latency of turns 1-10 and 111-120, and their ratio;
- a new sender's first turn;
- RSS: the sum over every process of each side (ours: Rasa, the action server, the web server).

Ours runs with its rate limits raised (they are a feature, not what is measured). Results:
results/bench.json and a table on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv" / "bin" / "rasa"
CACHE = Path(os.environ.get("ANKLE_COACH_CACHE", Path.home() / ".cache" / "ankle-coach")) / "bench-init-bot"
ENV = dict(
    os.environ,
    PYTHONWARNINGS="ignore",
    TF_CPP_MIN_LOG_LEVEL="2",
    SQLALCHEMY_SILENCE_UBER_WARNING="1",
    RASA_TELEMETRY_ENABLED="false",
)
# Everyday messages a runner (or the stock bot's user) sends; both bots answer each of them.
MESSAGES = [
    "hi",
    "why does my ankle hurt after running?",
    "what shoes should I buy?",
    "how do I warm up?",
    "what exercises help weak ankles?",
    "thanks",
    "bye",
]
SEQUENTIAL_TURNS = 100
LOAD_SECONDS = 15
LONG_CONVERSATION = 120
HUGE_MESSAGE = "my ankle hurts after running " * 3500  # ~100,000 characters
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            stack.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


class Bot:
    def __init__(
        self,
        name: str,
        command: List[str],
        cwd: Path,
        port: int,
        env: Optional[Dict[str, str]] = None,
        health: str = "/status",
    ):
        self.name, self.port, self.health = name, port, health
        self.url = f"http://127.0.0.1:{port}"
        (ROOT / "var").mkdir(exist_ok=True)
        self.log = open(ROOT / "var" / f"bench-{name}.log", "w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**ENV, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, extra_check: Optional[Callable[[], bool]] = None, timeout: float = 400) -> float:
        while time.monotonic() - self.started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see var/bench-{self.name}.log")
            try:
                if requests.get(self.url + self.health, timeout=2).ok and (extra_check is None or extra_check()):
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise TimeoutError(self.name)

    def say(self, sender: str, text: str, timeout: float = 60) -> requests.Response:
        return requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
        )

    def timed(self, sender: str, text: str) -> float:
        start = time.perf_counter()
        response = self.say(sender, text)
        elapsed = (time.perf_counter() - start) * 1000
        if not response.ok:
            raise RuntimeError(f"{self.name} answered {response.status_code}")
        return elapsed

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def load(bot: Bot, clients: int, seconds: float) -> Dict[str, float]:
    latencies: List[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def client(n: int) -> None:
        sender, i = f"load{clients}-{n}-{uuid.uuid4().hex[:6]}", 0
        while time.monotonic() < stop_at:
            try:
                elapsed = bot.timed(sender, MESSAGES[i % len(MESSAGES)])
                with lock:
                    latencies.append(elapsed)
            except (requests.RequestException, RuntimeError):
                with lock:
                    errors[0] += 1
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        f"throughput_{clients}": round(len(latencies) / seconds, 2),
        f"p95_{clients}_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        f"errors_{clients}": errors[0],
    }


def measure(bot: Bot, ready_seconds: float) -> Dict[str, float]:
    for i, text in enumerate(MESSAGES):  # warm-up: the first requests load lazily
        bot.say(f"warm-{i}", text)
    senders = [f"seq-{i}-{uuid.uuid4().hex[:6]}" for i in range(10)]
    sequential = [bot.timed(senders[i % 10], MESSAGES[(i // 10) % len(MESSAGES)]) for i in range(SEQUENTIAL_TURNS)]
    result: Dict[str, float] = {
        "ready_s": round(ready_seconds, 1),
        "p50_1_ms": round(statistics.median(sequential), 1),
        "p95_1_ms": round(percentile(sequential, 0.95), 1),
    }
    result.update(load(bot, 8, LOAD_SECONDS))
    result.update(load(bot, 32, LOAD_SECONDS))
    talker = f"long-{uuid.uuid4().hex[:6]}"
    turns = [bot.timed(talker, MESSAGES[1 + i % (len(MESSAGES) - 3)]) for i in range(LONG_CONVERSATION)]
    early, late = statistics.median(turns[:10]), statistics.median(turns[110:120])
    result.update(
        {
            "turns_1_10_ms": round(early, 1),
            "turns_111_120_ms": round(late, 1),
            "late_over_early": round(late / early, 2),
        }
    )
    result["first_turn_ms"] = round(
        statistics.median(
            bot.timed(f"fresh-{uuid.uuid4().hex}", "why does my ankle hurt after running?") for _ in range(10)
        ),
        1,
    )
    result["rss_mb"] = round(tree_rss_mb(bot.process.pid), 0)
    return result


def stock_bot_dir() -> Path:
    """A `rasa init` project, trained once and cached (keyed on the Rasa version in requirements)."""
    key = (ROOT / "requirements.txt").read_text().split("rasa[spacy]==")[1].split()[0]
    target = CACHE / key
    if not (target / "models").exists() or not list((target / "models").glob("*.tar.gz")):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        print("Training the stock `rasa init` baseline bot once (cached afterwards) ...", flush=True)
        subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(target)],
            env=ENV,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return target


def one_run() -> Dict[str, Dict[str, float]]:
    results: Dict[str, Dict[str, float]] = {}
    stock_port = free_port()
    stock = Bot("stock", [str(RASA), "run", "--enable-api", "--port", str(stock_port)], stock_bot_dir(), stock_port)
    try:
        results["stock"] = measure(stock, stock.wait_ready())
    finally:
        stock.stop()
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    ours = Bot(
        "ankle-coach",
        ["scripts/serve"],
        ROOT,
        rasa_port,
        health="/health",
        env={
            "RASA_PORT": str(rasa_port),
            "ACTION_PORT": str(action_port),
            "WEB_PORT": str(web_port),
            "ANKLE_COACH_RATE_PER_SENDER": "1000000",
            "ANKLE_COACH_RATE_PER_ADDRESS": "1000000",
        },
    )
    try:
        ready = ours.wait_ready(lambda: requests.get(f"http://127.0.0.1:{action_port}/health", timeout=2).ok)
        results["ours"] = measure(ours, ready)
        start = time.perf_counter()
        huge = ours.say("huge", HUGE_MESSAGE)
        results["ours"].update(
            {"huge_message_status": huge.status_code, "huge_message_ms": round((time.perf_counter() - start) * 1000, 1)}
        )
    finally:
        ours.stop()
    return results


RATIO_KEYS = (
    "ready_s",
    "p50_1_ms",
    "p95_1_ms",
    "throughput_8",
    "p95_8_ms",
    "throughput_32",
    "p95_32_ms",
    "late_over_early",
    "first_turn_ms",
    "rss_mb",
)
TARGETS = {"p50_1_ms": ("<=", 1.0), "p95_8_ms": ("<=", 1.0), "throughput_8": (">=", 1.0), "rss_mb": ("<=", 1.0)}


def main() -> int:
    (ROOT / "results").mkdir(exist_ok=True)
    runs = []
    for number in range(RUNS):
        print(f"run {number + 1} of {RUNS} ...", flush=True)
        runs.append(one_run())
    ratios = {
        key: round(statistics.median(r["ours"][key] / r["stock"][key] for r in runs if r["stock"].get(key)), 2)
        for key in RATIO_KEYS
    }
    medians = {
        side: {
            key: statistics.median(r[side][key] for r in runs)
            for key in runs[0][side]
            if all(isinstance(r[side].get(key), (int, float)) for r in runs)
        }
        for side in ("stock", "ours")
    }
    report = {
        "runs": runs,
        "median": medians,
        "median_ratio_ours_over_stock": ratios,
        "own_targets": {
            "late_over_early": "<= 1.3 (our turns 111-120 over our turns 1-10)",
            "ready_s": "<= 15 s after make serve",
        },
    }
    (ROOT / "results" / "bench.json").write_text(json.dumps(report, indent=2))
    print(f"\nmedian of {RUNS} run(s)")
    print(f"{'measure':18} {'stock rasa init':>16} {'ankle coach':>12} {'ratio':>7}  target")
    for key in RATIO_KEYS + ("errors_8", "errors_32", "turns_1_10_ms", "turns_111_120_ms"):
        target = TARGETS.get(key)
        wanted = f"{target[0]} {target[1]}" if target else ""
        print(
            f"{key:18} {medians['stock'].get(key, ''):>16} {medians['ours'].get(key, ''):>12} "
            f"{ratios.get(key, ''):>7}  {wanted}"
        )
    print(f"{'huge_message_ms':18} {'(not sent)':>16} {medians['ours'].get('huge_message_ms', ''):>12}")
    print("results/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
