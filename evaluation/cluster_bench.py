"""`make cluster-bench`: what the second Rasa server buys, measured in one run on this machine.

One cluster (scripts/cluster: HAProxy, two Rasa servers, PostgreSQL, Redis) is started; 32 clients,
each one ongoing conversation, send everyday messages for LOAD_SECONDS with both servers in the load
balancer, then with one of them put in maintenance through HAProxy's admin socket, then with both
again (median of the two). Results: results/cluster-bench.json and a table on stdout."""

from __future__ import annotations

import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict

import requests

from evaluation.bench import MESSAGES, load
from evaluation.cluster_harness import ROOT, Cluster

CLIENTS = 32
LOAD_SECONDS = 20


class ThroughBalancer:
    """The bench's client interface, aimed at the cluster's load balancer."""

    def __init__(self, url: str):
        self.url = url

    def timed(self, sender: str, text: str) -> float:
        start = time.perf_counter()
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
        )
        if not response.ok:
            raise RuntimeError(f"answered {response.status_code}")
        return (time.perf_counter() - start) * 1000


def haproxy(cluster: Cluster, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(cluster.state / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        return sock.recv(65536).decode()


def servers_in_service(cluster: Cluster, count: int) -> None:
    for backend in ("rasa", "socketio"):
        haproxy(cluster, f"set server {backend}/rasa2 state {'ready' if count == 2 else 'maint'}")
    time.sleep(3)


def main() -> int:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="ankle-coach-cluster-bench-")) / "state")
    print("Starting the cluster ...", flush=True)
    cluster.start()
    client = ThroughBalancer(cluster.url)
    try:
        for i, text in enumerate(MESSAGES * 2):  # warm both servers
            client.timed(f"warm-{i}", text)
        rounds: Dict[str, list] = {"two": [], "one": []}
        for servers in (2, 1, 2):
            servers_in_service(cluster, servers)
            print(f"  {CLIENTS} clients, {servers} server(s), {LOAD_SECONDS} s ...", flush=True)
            rounds["two" if servers == 2 else "one"].append(load(client, CLIENTS, LOAD_SECONDS))
    finally:
        cluster.stop()
        cluster.remove_data()

    def median(runs: list, key: str) -> float:
        return round(statistics.median(r[f"{key}_{CLIENTS}" if key != "p95" else f"p95_{CLIENTS}_ms"] for r in runs), 2)

    results = {
        name: {
            "throughput": median(runs, "throughput"),
            "p95_ms": median(runs, "p95"),
            "errors": sum(r[f"errors_{CLIENTS}"] for r in runs),
        }
        for name, runs in rounds.items()
    }
    results["ratio_two_to_one"] = {
        "throughput": round(results["two"]["throughput"] / results["one"]["throughput"], 2),
        "p95": round(results["two"]["p95_ms"] / results["one"]["p95_ms"], 2),
    }
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "cluster-bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'servers':<10}{'msg/s':>10}{'p95 ms':>10}{'errors':>8}")
    for name in ("one", "two"):
        r = results[name]
        print(f"{name:<10}{r['throughput']:>10}{r['p95_ms']:>10}{r['errors']:>8}")
    print(
        f"two/one: throughput {results['ratio_two_to_one']['throughput']}x, p95 {results['ratio_two_to_one']['p95']}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
