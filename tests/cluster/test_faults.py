"""Fault tests for `make cluster`: two Rasa servers behind HAProxy, PostgreSQL and Redis, on loopback.

32 conversations with known scripts run at once while parts of the cluster are broken: a Rasa server
killed with SIGKILL, the action server stopped for a while, Redis restarted, the whole stack
restarted. After each: every user turn is recorded once, in order, with its answer; no request got
a 5xx; conversations go on after the restart with their slots. The counts per fault are written to
results/cluster-faults.json (the figures in the README and the issue's note)."""

import json
import signal
import time

import pytest
import requests

from coach.answers import Coach
from coach.knowledge import load_knowledge
from evaluation.cluster_harness import ROOT, Cluster, audit, run_conversations, slots_now

CONVERSATIONS = 32
RED_FLAG_EVERY = 4  # every fourth conversation tells of a red flag, which the bot must remember
SCRIPT = [
    "the outside of my ankle hurts after running",
    "what shoes should I buy?",
    "how do I warm up?",
    "which exercises help?",
    "thanks",
]
RED_FLAG = "my calf is swollen and hot and I get short of breath"
RESULTS = ROOT / "results" / "cluster-faults.json"
figures = {}


def scripts(tag, turns=SCRIPT):
    return {
        f"{tag}-{n:02d}": ([RED_FLAG] if n % RED_FLAG_EVERY == 0 else []) + list(turns) for n in range(CONVERSATIONS)
    }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = Cluster(tmp_path_factory.mktemp("cluster") / "state")
    figures["ready_seconds"] = round(started.start(), 1)
    yield started
    started.stop()
    started.remove_data()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


def check(cluster, turns, fault, knowledge_reachable=True):
    """Every turn recorded once, in order, with its answer; and, unless the action server was what
    broke, a real answer: "I can't reach my knowledge" there would hide a turn that failed."""
    result = audit(cluster, turns)
    if knowledge_reachable:
        cannot_reach = unavailable_text().split("\n")[0]
        result.problems += [
            f"{t.sender} {t.message_id}: last-resort reply"
            for t in turns
            if any(cannot_reach in (reply.get("text") or "") for reply in t.replies)
        ]
    figures[fault] = {"turns": len(turns), **result.as_dict(), "problems": result.problems[:20]}
    assert result.problems == [], f"{fault}: {result.problems[:10]}"
    return result


def unavailable_text():
    return Coach(load_knowledge()).unavailable().text


def killed_during_load(cluster, tag, process, script=SCRIPT, after=1 / 3):
    """Run the conversations and SIGKILL ``process`` once ``after`` of their turns are answered;
    returns the turns and the killed pid (scripts/cluster starts the process again)."""
    killed = {}

    def kill():
        killed["pid"] = cluster.kill(process, signal.SIGKILL)

    conversations = scripts(tag, script)
    total = sum(len(turns) for turns in conversations.values())
    turns = run_conversations(cluster, conversations, tag, during=(int(total * after), kill))
    assert killed, "the fault was not injected"
    return turns, killed["pid"]


def test_a_rasa_server_killed_mid_load_loses_and_repeats_nothing(cluster):
    turns, pid = killed_during_load(cluster, "kill", "rasa-1")
    check(cluster, turns, "rasa_server_sigkill")
    # the killed server is started again and rejoins
    cluster.wait_restarted("rasa-1", pid, f"http://127.0.0.1:{cluster.base + 1}/health")


def test_the_action_server_stopped_for_a_while(cluster):
    turns, pid = killed_during_load(cluster, "actions", "actions", SCRIPT[:3], after=1 / 4)
    check(cluster, turns, "action_server_stopped", knowledge_reachable=False)
    # a red flag got its warning whether or not the action server was there
    warned = [t for t in turns if t.text == RED_FLAG]
    assert all(any((r.get("custom") or {}).get("urgency") == "emergency" for r in t.replies) for t in warned)
    cluster.wait_restarted("actions", pid, f"http://127.0.0.1:{cluster.action_port}/health")


def test_redis_restarted_mid_load(cluster):
    turns, _ = killed_during_load(cluster, "redis", "redis", SCRIPT[:3])
    check(cluster, turns, "redis_restarted")


def test_the_whole_stack_restarted_and_conversations_go_on_with_their_slots(cluster):
    conversations = scripts("restart", SCRIPT[:2])
    before = run_conversations(cluster, conversations, "restart-a")
    check(cluster, before, "before_stack_restart")
    cluster.stop()
    figures["restart_ready_seconds"] = round(cluster.start(), 1)
    after = run_conversations(
        cluster, {sender: ["how long until I can run again?"] for sender in conversations}, "restart-b"
    )
    check(cluster, before + after, "whole_stack_restarted")
    for n, sender in enumerate(conversations):
        events = cluster.events(f"rest:{sender}")
        assert sum(e["event"] == "session_started" for e in events) == 1, f"{sender}: a new session began"
        slots = slots_now(events)
        assert slots.get("location"), f"{sender}: location forgotten"
        if n % RED_FLAG_EVERY == 0:
            assert slots.get("red_flags"), f"{sender}: the red flag was forgotten"


def test_one_server_answers_while_the_other_is_down_and_no_request_sees_it(cluster):
    """HAProxy health checks take a dead server out; requests in between are retried on the other."""
    pid = cluster.kill("rasa-2", signal.SIGKILL)
    statuses = [
        requests.post(
            f"{cluster.url}/webhooks/rest/webhook",
            timeout=120,
            json={"sender": f"solo-{i}", "message": "how do I warm up?"},
        ).status_code
        for i in range(10)
    ]
    assert statuses == [200] * 10
    cluster.wait_restarted("rasa-2", pid, f"http://127.0.0.1:{cluster.base + 2}/health")
    time.sleep(2)
