"""`make bench`: start-up, memory, latency and throughput of Ankle Coach as ratios against a stock
`rasa init` bot measured in the same run on the same machine (these machines are noisy, so only
same-run ratios mean anything). Results: results/bench.json and a table on stdout.

Also checks what the stock server gets wrong: an empty body (stock: 500) and a huge message
(stock: memory blow-up - never sent to the stock bot here; we send it to ours and watch memory).
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
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv" / "bin" / "rasa"
CACHE = Path(os.environ.get("ANKLE_COACH_CACHE", Path.home() / ".cache" / "ankle-coach")) / "bench-init-bot"
ENV = dict(os.environ, PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
MESSAGES = ["hi", "why does my ankle hurt after running?", "what shoes should I buy?", "how do I warm up?",
            "thanks", "what exercises help weak ankles?", "how do I do heel drops?", "bye"]
SEQUENTIAL_REQUESTS = 80
CONCURRENT_CLIENTS = 8
CONCURRENT_SECONDS = 15
HUGE_MESSAGE = "my ankle hurts after running " * 3500   # ~100,000 characters


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


class Bot:
    def __init__(self, name: str, command: List[str], cwd: Path, port: int, env: Optional[Dict[str, str]] = None):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(ROOT / "var" / f"bench-{name}.log", "w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, cwd=cwd, env={**ENV, **(env or {})}, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, extra_check=None, timeout: float = 400) -> float:
        while time.monotonic() - self.started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see var/bench-{self.name}.log")
            try:
                if requests.get(f"{self.url}/status", timeout=2).ok and (extra_check is None or extra_check()):
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise TimeoutError(self.name)

    def say(self, sender: str, text: str, timeout: float = 60) -> requests.Response:
        return requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def measure(bot: Bot, ready_seconds: float) -> Dict[str, float]:
    for i, text in enumerate(MESSAGES):           # warm-up: first requests load lazily
        bot.say(f"warm-{i}", text)
    latencies = []
    for i in range(SEQUENTIAL_REQUESTS):
        start = time.perf_counter()
        assert bot.say(f"seq-{i % 10}", MESSAGES[i % len(MESSAGES)]).ok
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    done, errors, stop_at = [0], [0], time.monotonic() + CONCURRENT_SECONDS

    def client(n: int) -> None:
        i = 0
        while time.monotonic() < stop_at:
            try:
                ok = bot.say(f"load-{n}-{i % 5}", MESSAGES[i % len(MESSAGES)]).ok
            except requests.RequestException:
                ok = False
            done[0] += ok
            errors[0] += not ok
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONCURRENT_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    empty = requests.post(f"{bot.url}/webhooks/rest/webhook", data=b"", timeout=30).status_code
    return {"ready_s": round(ready_seconds, 1), "rss_mb": round(rss_mb(bot.process.pid), 0),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
            "throughput_msg_s": round(done[0] / CONCURRENT_SECONDS, 1), "load_errors": errors[0],
            "empty_body_status": empty}


def stock_bot_dir() -> Path:
    """A `rasa init` project, trained once and cached (keyed on the Rasa version in requirements)."""
    key = (ROOT / "requirements.txt").read_text().split("rasa[spacy]==")[1].split()[0]
    target = CACHE / key
    if not (target / "models").exists() or not list((target / "models").glob("*.tar.gz")):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        print("Training the stock `rasa init` baseline bot once (cached afterwards) ...", flush=True)
        subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(target)], env=ENV, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return target


def main() -> int:
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "results").mkdir(exist_ok=True)
    results: Dict[str, Dict[str, float]] = {}

    stock_dir = stock_bot_dir()
    stock_port = free_port()
    stock = Bot("stock", [str(RASA), "run", "--enable-api", "--port", str(stock_port)], stock_dir, stock_port)
    try:
        results["stock rasa init"] = measure(stock, stock.wait_ready())
    finally:
        stock.stop()

    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    ours = Bot("ankle-coach", ["scripts/serve"], ROOT, rasa_port,
               env={"RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port), "WEB_PORT": str(web_port)})
    try:
        ready = ours.wait_ready(lambda: requests.get(f"http://127.0.0.1:{action_port}/health", timeout=2).ok)
        results["ankle coach"] = measure(ours, ready)
        before = rss_mb(ours.process.pid)
        start = time.perf_counter()
        huge = ours.say("huge", HUGE_MESSAGE)
        results["ankle coach"].update({
            "huge_message_status": huge.status_code,
            "huge_message_ms": round((time.perf_counter() - start) * 1000, 1),
            "huge_message_rss_growth_mb": round(rss_mb(ours.process.pid) - before, 0)})
    finally:
        ours.stop()

    base, mine = results["stock rasa init"], results["ankle coach"]
    ratios = {k: round(mine[k] / base[k], 2) for k in ("ready_s", "rss_mb", "p50_ms", "p95_ms", "throughput_msg_s")
              if base.get(k)}
    report = {"results": results, "ratios_ankle_coach_over_stock": ratios,
              "notes": "RSS of ours includes the action server and web server; the stock bot has neither."}
    (ROOT / "results" / "bench.json").write_text(json.dumps(report, indent=2))
    print(f"\n{'metric':24} {'stock rasa init':>16} {'ankle coach':>12} {'ratio':>7}")
    for key in ("ready_s", "rss_mb", "p50_ms", "p95_ms", "throughput_msg_s", "load_errors", "empty_body_status"):
        ratio = ratios.get(key, "")
        print(f"{key:24} {base.get(key, ''):>16} {mine.get(key, ''):>12} {ratio:>7}")
    for key in ("huge_message_status", "huge_message_ms", "huge_message_rss_growth_mb"):
        print(f"{key:24} {'(not sent)':>16} {mine[key]:>12}")
    print("results/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
