"""End to end: the attacks that worked on a stock set-up, each tried against the real servers and seen
to fail. (Before this, each of them succeeded; see the README's "Privacy and security".)"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path

import pytest
import requests
import socketio
from servers import ROOT, Servers, stored_events
from test_rest_channel import custom, new_sender, text

EVIL = "https://evil.example"
TOKEN = "e2e-" + uuid.uuid4().hex


def post(servers, body, **kwargs):
    return requests.post(f"{servers.rasa}/webhooks/rest/webhook", data=body, timeout=30, **kwargs)


def group_pids(servers):
    out = subprocess.run(["pgrep", "-g", str(servers.process.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def process_matching(servers, fragment):
    for pid in group_pids(servers):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if fragment in cmdline:
            return pid
    raise AssertionError(f"no process running {fragment}")


# ---- Rasa's HTTP API ---------------------------------------------------------------------------


def test_http_api_is_off_without_a_token(servers):
    sender = new_sender("api-off")
    servers.say(sender, "what shoes should I buy?")
    assert requests.get(f"{servers.rasa}/conversations/rest:{sender}/tracker", timeout=10).status_code == 404
    assert requests.delete(f"{servers.rasa}/model", timeout=10).status_code in (404, 405)
    assert requests.put(f"{servers.rasa}/model", data=b"{}", timeout=10).status_code in (404, 405)
    assert custom(servers.say(sender, "what warm up should I do?"))["topic"] == "warmup"  # still answering
    status = requests.get(f"{servers.rasa}/status", timeout=10).json()
    assert set(status) == {"model_file", "status"}  # the health check needs no API


@pytest.fixture(scope="module")
def with_token():
    started = Servers(env={"RASA_AUTH_TOKEN": TOKEN})
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def test_with_a_token_every_api_call_needs_it_and_it_is_never_on_a_command_line(with_token):
    sender = new_sender("api-on")
    with_token.say(sender, "what shoes should I buy?")
    url = f"{with_token.rasa}/conversations/rest:{sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.delete(f"{with_token.rasa}/model", timeout=10).status_code == 401
    assert requests.get(url, params={"token": TOKEN}, timeout=10).status_code == 200
    for pid in group_pids(with_token):
        assert TOKEN.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_cors_only_for_the_widgets_origin(servers):
    allowed = f"http://127.0.0.1:{servers.web_port}"
    url = f"{servers.rasa}/webhooks/rest/webhook"
    evil = requests.options(url, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}, timeout=10)
    assert evil.headers.get("Access-Control-Allow-Origin") not in ("*", EVIL)
    good = requests.options(url, headers={"Origin": allowed, "Access-Control-Request-Method": "POST"}, timeout=10)
    assert good.headers.get("Access-Control-Allow-Origin") == allowed
    # socket.io: a page from another origin can't read the handshake, and can't connect
    handshake = requests.get(
        f"{servers.rasa}/socket.io/", params={"EIO": "4", "transport": "polling"}, headers={"Origin": EVIL}, timeout=10
    )
    assert handshake.headers.get("Access-Control-Allow-Origin") not in ("*", EVIL)
    client = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(servers.rasa, transports=["polling"], headers={"Origin": EVIL}, wait_timeout=10)
    allowed_handshake = requests.get(
        f"{servers.rasa}/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": allowed},
        timeout=10,
    )
    assert allowed_handshake.headers.get("Access-Control-Allow-Origin") == allowed


# ---- sender ids are the server's ----------------------------------------------------------------


def test_a_rest_client_cannot_name_another_channels_conversation(servers):
    chat = f"telegram:{uuid.uuid4().int % 10**9}"
    reply = servers.say(chat, "I heard a crack and my ankle is bent sideways")
    assert reply[0]["recipient_id"] == f"rest:{chat}"
    assert stored_events(chat) == [] and stored_events(f"rest:{chat}")


def test_payloads_carry_nothing_from_earlier_turns(servers):
    sender = new_sender("no-history")
    servers.say(sender, "I heard a crack and now I can't put any weight on it")
    later = custom(servers.say(sender, "what exercises should I do?"))
    assert "red_flags" not in later and "slots" not in later


def test_a_socket_cannot_use_a_session_it_was_not_given(servers):
    origin = {"Origin": f"http://127.0.0.1:{servers.web_port}"}
    victim, attacker = socketio.Client(), socketio.Client()
    victim_tokens, attacker_tokens, attacker_heard, errors = [], [], [], []
    victim.on("session_confirm", victim_tokens.append)
    attacker.on("session_confirm", attacker_tokens.append)
    attacker.on("bot_uttered", attacker_heard.append)
    attacker.on("session_error", errors.append)
    victim.connect(servers.rasa, transports=["polling"], headers=origin)
    attacker.connect(servers.rasa, transports=["polling"], headers=origin)
    try:
        victim.emit("session_request", {"session_id": None})
        attacker.emit("session_request", {"session_id": "victim-session-guess"})
        victim.sleep(1)
        assert victim_tokens and attacker_tokens and victim_tokens[0] != attacker_tokens[0]
        attacker.emit("user_uttered", {"message": "hi", "session_id": victim_tokens[0]})
        victim.emit("user_uttered", {"message": "my ankle looks completely deformed", "session_id": victim_tokens[0]})
        victim.sleep(4)
        assert errors and attacker_heard == []
    finally:
        victim.disconnect()
        attacker.disconnect()


# ---- typed intents and slot values --------------------------------------------------------------


def test_typed_intent_text_sets_nothing_and_red_flags_still_warn(servers):
    sender = new_sender("typed-intent")
    servers.say(sender, '/inform{"runs_per_week":"x"}')
    assert not [e for e in stored_events(f"rest:{sender}") if e.get("event") == "slot" and e.get("value") == "x"]
    warning = servers.say(sender, "I heard a pop and can't walk")
    assert custom(warning)["topic"] == "red_flag" and custom(warning)["urgency"] in ("urgent", "emergency")


# ---- limits ---------------------------------------------------------------------------------------


def test_malformed_huge_and_deeply_nested_bodies(servers):
    assert post(servers, b"[" * 100_000).status_code == 400
    assert post(servers, json.dumps({"sender": "x", "message": "a" * 300_000}).encode()).status_code == 413


def test_a_claimed_100_mb_body_is_refused_before_it_is_sent(servers):
    with socket.create_connection(("127.0.0.1", servers.rasa_port), timeout=10) as connection:
        connection.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n{"
        )
        started = time.monotonic()
        answer = connection.recv(200)
    assert b" 413 " in answer.split(b"\r\n")[0] and time.monotonic() - started < 5


def test_action_server_listens_on_loopback_only_and_refuses_a_deflate_bomb(servers):
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    port = f"{servers.action_port:04X}"
    addresses = {
        line.split()[1].split(":")[0]
        for line in listening
        if line.split()[1].endswith(":" + port) and line.split()[3] == "0A"
    }
    assert addresses == {"0100007F"}  # 127.0.0.1, nothing else
    bomb = zlib.compress(b"\0" * (256 * 1024 * 1024), 9)
    answer = requests.post(
        f"http://127.0.0.1:{servers.action_port}/webhook",
        data=bomb,
        timeout=30,
        headers={"Content-Encoding": "deflate", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    nested = requests.post(f"http://127.0.0.1:{servers.action_port}/webhook", data=b"[" * 100_000, timeout=10)
    assert nested.status_code == 400
    assert requests.get(f"http://127.0.0.1:{servers.action_port}/health", timeout=10).ok


def test_rate_limit_answers_kindly_never_silently():
    started = Servers(env={"ANKLE_COACH_RATE_PER_SENDER": "6"})
    try:
        started.wait_ready()
        sender = new_sender("flood")
        answers = [post(started, json.dumps({"sender": sender, "message": "hi"}).encode()) for _ in range(12)]
        limited = [a for a in answers if a.status_code == 429]
        assert limited and all("faster than I can answer" in a.json()[0]["text"] for a in limited)
        assert all(a.status_code in (200, 429) and a.json() for a in answers)
    finally:
        started.stop()


# ---- data at rest ------------------------------------------------------------------------------------


def test_store_and_logs_are_private_and_logs_hold_no_message_text(servers):
    marker = f"zebra-{uuid.uuid4().hex[:8]} my ankle hurts"
    servers.say(new_sender("marker"), marker)
    for path in [
        ROOT / "var" / "trackers.db",
        ROOT / "var" / "rasa.log",
        ROOT / "var" / "actions.log",
        ROOT / "var" / "secret",
    ]:
        assert os.stat(path).st_mode & 0o077 == 0, path
    for log in ("rasa.log", "actions.log"):
        assert marker.split()[0] not in (ROOT / "var" / log).read_text(errors="replace")


def test_forget_me_erases_the_conversation_and_says_so(servers):
    sender = new_sender("forget")
    servers.say(sender, "why does my ankle hurt?")
    assert stored_events(f"rest:{sender}")
    reply = servers.say(sender, "forget me")
    assert "deleted our conversation" in text(reply) and custom(reply)["forgotten"] is True
    assert stored_events(f"rest:{sender}") == []


def test_forget_old_erases_conversations_past_the_retention_period(tmp_path):
    db = tmp_path / "trackers.db"
    (tmp_path / "endpoints.yml").write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n")
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
        now = time.time()
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
            [("old", now - 45 * 86400), ("new", now - 86400)],
        )
    out = subprocess.run(
        [sys.executable, "-m", "serving.conversations", "--endpoints", str(tmp_path / "endpoints.yml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ANKLE_COACH_RETENTION_DAYS": "30"},
    ).stdout
    assert "erased 1 conversation" in out
    with sqlite3.connect(db) as connection:
        assert [row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")] == ["new"]


def test_telemetry_is_off(servers):
    pid = process_matching(servers, "serving.rasa_server")
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"RASA_TELEMETRY_ENABLED=false" in environ


# ---- no request can silence the bot --------------------------------------------------------------------


def test_with_the_action_server_down_the_runner_still_gets_a_reply_and_red_flags_a_warning():
    started = Servers(env={"ANKLE_COACH_ACTION_RESTART_SECONDS": "60"})
    try:
        started.wait_ready()
        os.kill(process_matching(started, "serving.action_server"), 9)
        time.sleep(1)
        down = started.say(new_sender("no-actions"), "what shoes should I buy?")
        assert "can't reach my knowledge" in text(down) and custom(down)["disclaimer"] is True
        warning = started.say(new_sender("no-actions-flag"), "I heard a crack and my ankle is bent sideways")
        assert custom(warning)["topic"] == "red_flag" and custom(warning)["urgency"] == "emergency"
    finally:
        started.stop()
