"""End to end: the real Rasa and action servers, talked to over the REST channel like the widget does."""

import os
import signal
import subprocess
import time
import uuid

import requests
from servers import Servers


def new_sender(prefix):
    """A fresh conversation: the tracker store keeps conversations between runs."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def custom(messages):
    payloads = [m["custom"] for m in messages if "custom" in m]
    assert len(payloads) == 1, messages
    return payloads[0]


def text(messages):
    return "\n".join(m.get("text", "") for m in messages)


def test_health_and_status(servers):
    assert requests.get(f"http://127.0.0.1:{servers.action_port}/health").ok
    assert requests.get(f"{servers.rasa}/status").json()["model_file"]


def test_core_question_answered_from_knowledge(servers):
    e2e_shoes = new_sender("e2e-shoes")
    reply = servers.say(e2e_shoes, "what running shoes should I buy?")
    payload = custom(reply)
    assert payload["topic"] == "shoes" and payload["urgency"] == "self_care"
    assert payload["sources"] and "Source:" in text(reply)
    assert payload.get("disclaimer") is True  # first medical answer of the conversation


def test_multi_turn_context_and_disclaimer_once(servers):
    e2e_context = new_sender("e2e-context")
    first = servers.say(e2e_context, "why does my ankle hurt after running?")
    assert custom(first)["topic"] == "why_pain" and custom(first).get("clarify") is True
    second = servers.say(e2e_context, "the outside of my ankle, I rolled it last week")
    payload = custom(second)
    assert payload["topic"] == "why_pain" and not payload.get("clarify")
    assert payload["entry"] == "why_pain_outer_injury"
    assert "disclaimer" not in payload  # shown once, in the first answer


def test_red_flag_first_reply_escalates(servers):
    e2e_flag = new_sender("e2e-flag")
    reply = servers.say(e2e_flag, "I heard a pop in my achilles and now I can't go up on my toes")
    payload = custom(reply)
    assert payload["topic"] == "red_flag" and payload["urgency"] == "emergency"
    assert text(reply).startswith("This needs emergency care now.")
    later = servers.say(e2e_flag, "should I keep running on it?")
    assert custom(later)["urgency"] in ("emergency", "urgent")
    assert "keep running" not in text(later).lower()


def test_fallback_carries_disclaimer(servers):
    e2e_fallback = new_sender("e2e-fallback")
    payload = custom(servers.say(e2e_fallback, "asdkjh qwpeoi zzxv"))
    assert payload["topic"] in ("fallback", "out_of_scope") and payload["disclaimer"] is True


def test_prescriptions_and_verdicts_are_declined_kindly_never_answered(servers):
    """Whatever the question looks like (here a rest question), a prescription or a yes-or-no verdict is
    declined with who can help, not answered as a topic or with the rest check's first question."""
    for message, who in (
        ("my ankle hurts when i run, should i rest or can you prescribe me tramadol", "pharmacist"),
        ("don't give me maybes, just tell me exactly what's wrong with my heel", "physio or GP"),
    ):
        reply = servers.say(new_sender("e2e-declined"), message)
        payload = custom(reply)
        assert payload["topic"] == "out_of_scope" and payload["disclaimer"] is True, message
        assert who in text(reply) and not payload.get("clarify"), message


def test_a_first_message_nowhere_near_running_is_told_so(servers):
    reply = servers.say(new_sender("e2e-elsewhere"), "can you write me a cover letter for a bank job")
    payload = custom(reply)
    assert payload["topic"] == "out_of_scope" and "ankle" in text(reply)


def test_empty_and_malformed_bodies_are_400(servers):
    url = f"{servers.rasa}/webhooks/rest/webhook"
    assert requests.post(url, data=b"").status_code == 400
    assert requests.post(url, data=b"{not json").status_code == 400
    assert requests.post(url, json={"sender": "x"}).status_code == 400


def test_huge_message_answered_politely_and_server_survives(servers):
    e2e_huge = new_sender("e2e-huge")
    huge = "my ankle hurts " * 7000  # ~105,000 characters
    reply = servers.say(e2e_huge, huge)
    assert "too long" in text(reply)
    assert custom(servers.say(e2e_huge, "what warm up should I do?"))["topic"] == "warmup"


def test_sigterm_to_process_group_stops_every_server(servers):
    """Run a second serve on other ports and check nothing is left after SIGTERM."""
    other = Servers()
    other.wait_ready()
    children = subprocess.run(["pgrep", "-g", str(other.process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) >= 3
    os.killpg(other.process.pid, signal.SIGTERM)
    other.process.wait(timeout=60)
    time.sleep(1)
    assert subprocess.run(["pgrep", "-g", str(other.process.pid)], capture_output=True).stdout == b""


def test_each_urgency_level_end_to_end(servers):
    """emergency, urgent, soon and self_care, each reached the way a runner would."""
    emergency = custom(servers.say(new_sender("lvl-emergency"), "my ankle is bent at a weird angle after I fell"))
    urgent = custom(servers.say(new_sender("lvl-urgent"), "rolled it an hour ago and I can't put any weight on it"))
    soon = custom(servers.say(new_sender("lvl-soon"), "what is anterior ankle impingement?"))
    self_care = custom(servers.say(new_sender("lvl-self"), "what warm up should I do?"))
    assert (emergency["urgency"], urgent["urgency"]) == ("emergency", "urgent")
    assert soon["topic"] == "condition_info" and soon["urgency"] == "soon"
    assert self_care["topic"] == "warmup" and self_care["urgency"] == "self_care"
