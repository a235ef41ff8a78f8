"""The served model answers exactly as stock Rasa's loading would: quicker start-up changes no prediction."""

import json
import os
import subprocess
import sys

from servers import ROOT

# Loads the trained model twice in one process, with stock Rasa's loading and then with serving's, and
# prints the intent ranking each gives for the same messages.
COMPARE = """
import asyncio, json, sys
from rasa.core.agent import load_agent
from serving import model_loading

MESSAGES = [
    "why does my heel hurt first thing in the morning",
    "which shoes for wide feet",
    "can I keep running with a niggle in my shin",
    "how do I do eccentric heel drops",
    "what should I eat the night before a marathon",
    "rolled my ankle yesterday, can walk, bit swollen",
]

async def rankings():
    agent = await load_agent(model_path="models/current.tar.gz")
    assert agent.is_ready()
    out = []
    for text in MESSAGES:
        parsed = await agent.parse_message(text)
        out.append([(i["name"], round(i["confidence"], 6)) for i in parsed["intent_ranking"]])
    return out

stock = asyncio.run(rankings())
model_loading.install()
served = asyncio.run(rankings())
print(json.dumps({"stock": stock, "served": served}))
"""


def test_the_served_model_ranks_intents_exactly_as_stock_loading_does():
    done = subprocess.run(
        [sys.executable, "-c", COMPARE],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["served"] == result["stock"]
    assert all(ranking and ranking[0][1] > 0 for ranking in result["stock"])
