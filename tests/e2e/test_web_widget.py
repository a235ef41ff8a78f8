"""The web widget (web/) in a real browser against the real servers: Debian's Chromium via Playwright.

Covers the issue's requirements end to end: the demo page embeds the widget with one script tag,
it talks to Rasa's socket.io channel, renders answers with sources, quick replies, exercise cards
and the emergency banner, is usable by keyboard, keeps the conversation across a reload, fits a
360px screen and says so when the server can't be reached. Screenshots go to results/.
"""

import os
import tempfile
from pathlib import Path

import pytest
import socketio
from playwright.sync_api import expect, sync_playwright
from servers import ROOT, free_port

from coach.knowledge import load_knowledge

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RESULTS = ROOT / "results"
ANSWER_TIMEOUT = 60_000  # ms; the first answer may wait for the model to warm up
# The widget's banners are worded in the knowledge file, as every channel's are.
EMERGENCY_BANNER = load_knowledge().messages["urgency_levels"]["emergency"]["banner"]
RED_FLAG = "I heard a pop at the back of my ankle and can't stand on tiptoe"


@pytest.fixture(scope="module")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium)")
    with sync_playwright() as started:
        yield started


@pytest.fixture
def browser(playwright):
    """A fresh browser profile (so a fresh localStorage) per test."""
    with tempfile.TemporaryDirectory(prefix="ankle-coach-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context
        finally:
            context.close()


def page_url(servers, rasa_port=None):
    return f"http://127.0.0.1:{servers.web_port}/?server=http://127.0.0.1:{rasa_port or servers.rasa_port}"


def bot_turns(page):
    return page.locator(".ac-log .ac-bot")


def send(page, text):
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")  # Enter sends
    expect(page.locator(".ac-log .ac-user .ac-bubble").last).to_have_text(text)


def test_widget_conversation_reload_and_phone_width(servers, browser):
    RESULTS.mkdir(exist_ok=True)
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_url(servers))

    # One script tag on the page; socket.io-client comes from the same web server, not a CDN.
    assert page.locator("script[src]").count() == 1
    expect(page.locator("script[src$='socket.io.min.js']")).to_have_count(0)  # loaded when the chat opens

    # Keyboard only: the launcher is a real button, opening it puts the focus in the message box.
    launcher = page.get_by_role("button", name="Ask Ankle Coach")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(page.locator("script[src*='socket.io']")).to_have_attribute(
        "src", f"http://127.0.0.1:{servers.web_port}/node_modules/socket.io-client/dist/socket.io.min.js"
    )
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")

    # The bot greets with quick replies.
    expect(page.locator(".ac-reply").first).to_be_visible(timeout=ANSWER_TIMEOUT)

    # A knowledge question: the answer's text and its sources (from the custom payload).
    expected = servers.say("widget-expected-shoes", "what running shoes should I buy?")  # same answer over REST
    sources = next(m["custom"]["sources"] for m in expected if "custom" in m)
    first_sentence = expected[0]["text"].split(". ")[0]
    send(page, "what running shoes should I buy?")
    answer = bot_turns(page).last
    expect(answer).to_contain_text(first_sentence, timeout=ANSWER_TIMEOUT)
    expect(answer.locator(".ac-sources")).to_contain_text("Sources: " + "; ".join(sources), timeout=ANSWER_TIMEOUT)
    expect(answer.locator(".ac-banner")).to_have_count(0)  # self-care: no urgency banner

    # A quick reply, pressed by keyboard: its title shows as the runner's message, its answer follows
    # with exercise cards.
    reply_button = page.get_by_role("button", name="Exercises", exact=True)
    reply_button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ac-log .ac-user .ac-bubble").last).to_have_text("Exercises")
    cards = bot_turns(page).last.locator(".ac-card")
    expect(cards.first).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(cards.first.locator("h3")).not_to_be_empty()
    expect(cards.first.locator("summary")).to_have_text("How to do it")

    # A red flag: an emergency banner nobody can miss, announced at once.
    send(page, RED_FLAG)
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(EMERGENCY_BANNER, timeout=ANSWER_TIMEOUT)
    assert "call emergency services or go to A&E now" in EMERGENCY_BANNER
    expect(banner).to_have_class("ac-banner ac-banner-emergency")
    assert banner.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(180, 35, 24)"
    expect(bot_turns(page).last).to_contain_text("This needs emergency care now.")
    page.screenshot(path=str(RESULTS / "widget.png"))

    # Reload: the conversation is still there, and the server still knows it (same session).
    page.reload()
    expect(page.get_by_role("log")).to_contain_text("what running shoes should I buy?")
    expect(page.locator(".ac-log .ac-sources").first).to_contain_text(sources[0])
    expect(page.locator(".ac-banner-emergency")).to_have_count(1)
    send(page, "should I keep running on it?")
    expect(page.locator(".ac-bot").last.locator(".ac-banner-emergency, .ac-banner-urgent")).to_have_count(
        1, timeout=ANSWER_TIMEOUT
    )  # the red flag from before the reload is remembered

    # A 360px phone: the page and the open chat fit without sideways scrolling.
    phone = browser.new_page()
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(page_url(servers))
    expect(phone.get_by_role("log")).to_contain_text(RED_FLAG)  # same conversation, chat still open
    phone.wait_for_timeout(300)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in (".ac-panel", ".ac-log"):
        assert phone.eval_on_selector(selector, "n => n.scrollWidth <= n.clientWidth"), selector
    phone.locator(".ac-bot .ac-sources").last.scroll_into_view_if_needed()
    phone.screenshot(path=str(RESULTS / "widget-mobile.png"))
    phone.get_by_role("button", name="Close chat").click()
    expect(phone.get_by_role("button", name="Ask Ankle Coach")).to_be_focused()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert not errors, errors


def test_widget_says_when_server_is_unreachable(servers, browser):
    page = browser.new_page()
    page.goto(page_url(servers, rasa_port=free_port()))  # nothing listens there
    page.get_by_role("button", name="Ask Ankle Coach").click()
    expect(page.get_by_role("status")).to_contain_text("Can't reach Ankle Coach right now", timeout=20_000)
    expect(page.get_by_role("status")).to_contain_text("Trying again automatically")
    expect(page.get_by_role("status")).to_contain_text("call emergency services or go to A&E")


def test_socketio_channel_sends_contract_shapes(servers):
    """The socket.io channel itself: a server-issued session, one unsplit text (with its buttons) and
    one custom payload."""
    client = socketio.Client()
    received, confirmed = [], []
    client.on("session_confirm", confirmed.append)
    client.on("bot_uttered", received.append)
    client.connect(servers.rasa, transports=["polling"], headers={"Origin": f"http://127.0.0.1:{servers.web_port}"})
    try:
        client.emit("session_request", {"session_id": "e2e-socketio-shapes"})  # not one the server issued
        client.sleep(1)
        assert len(confirmed) == 1 and confirmed[0] != "e2e-socketio-shapes" and "." in confirmed[0]
        session = confirmed[0]
        client.emit("user_uttered", {"message": "what exercises should I do?", "session_id": session})
        for _ in range(120):
            if any("custom" in m for m in received):
                break
            client.sleep(0.5)
        texts = [m for m in received if "text" in m]
        customs = [m for m in received if "custom" in m]
        assert len(texts) == 1 and len(customs) == 1, received
        assert "\n\n" in texts[0]["text"] and texts[0]["buttons"][0].keys() == {"title", "payload"}
        assert customs[0]["custom"]["topic"] == "exercises" and customs[0]["custom"]["exercises"]

        received.clear()
        client.emit("user_uttered", {"message": "my ankle hurts " * 200, "session_id": session})
        for _ in range(60):
            if received:
                break
            client.sleep(0.5)
        client.sleep(0.5)
        assert len(received) == 1 and "too long" in received[0]["text"], received
    finally:
        client.disconnect()


def stored_session(page):
    """The session id the server issued to this page (what the widget keeps in localStorage)."""
    saved = page.evaluate("() => Object.entries(localStorage).find(([k]) => k.startsWith('ankle-coach:'))[1]")
    import json

    return json.loads(saved)["sessionId"].split(".")[0]


def test_start_over_erases_the_conversation_on_the_server_and_in_the_browser(servers, browser):
    from servers import stored_events

    page = browser.new_page()
    page.goto(page_url(servers))
    page.get_by_role("button", name="Ask Ankle Coach").click()
    expect(page.locator(".ac-reply").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    send(page, "why does my ankle hurt after running?")
    expect(bot_turns(page).last).to_contain_text("Source", timeout=ANSWER_TIMEOUT)
    session = stored_session(page)
    assert stored_events(f"web:{session}")
    page.get_by_role("button", name="Start over").click()
    expect(page.get_by_role("log")).to_contain_text("deleted our conversation", timeout=ANSWER_TIMEOUT)
    expect(page.get_by_role("log")).not_to_contain_text("why does my ankle hurt after running?")
    assert stored_events(f"web:{session}") == []
    expect(page.locator(".ac-reply").first).to_be_visible(timeout=ANSWER_TIMEOUT)  # a new conversation
    assert stored_session(page) != session


def test_history_kept_in_the_browser_expires(servers, browser):
    page = browser.new_page()
    page.goto(page_url(servers))
    page.get_by_role("button", name="Ask Ankle Coach").click()
    expect(page.locator(".ac-reply").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    send(page, "what warm up should I do?")
    expect(bot_turns(page).last).to_contain_text("Source", timeout=ANSWER_TIMEOUT)
    # the reply's text and payload arrive as separate socket messages, each saved when it comes: wait
    # until both are stored, so none is saved (with a fresh savedAt) after the history is backdated
    page.wait_for_function(
        """() => Object.entries(localStorage).some(([k, v]) => {
            if (!k.startsWith('ankle-coach:')) return false;
            const history = JSON.parse(v).history || [];
            const asked = history.findIndex((e) => e.from === 'user' && e.text === 'what warm up should I do?');
            const after = asked < 0 ? [] : history.slice(asked + 1).map((e) => e.msg || {});
            return after.some((m) => m.custom) && after.some((m) => typeof m.text === 'string');
        })""",
        timeout=ANSWER_TIMEOUT,
    )
    page.evaluate("""() => { for (const [k, v] of Object.entries(localStorage)) {
        if (k.startsWith('ankle-coach:')) { const s = JSON.parse(v); s.savedAt -= 25 * 3600 * 1000;
                                             localStorage.setItem(k, JSON.stringify(s)); } } }""")
    page.reload()
    expect(page.get_by_role("log")).not_to_contain_text("what warm up should I do?")
