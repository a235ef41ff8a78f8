"""Webhook authenticity checks (channels/verify.py): Slack v0 signatures and Telegram's secret token."""

import hashlib
import hmac

from channels.verify import slack_signature, telegram_secret_ok, valid_telegram_secret, verify_slack_request

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_700_000_000
BODY = b'{"type":"event_callback","event":{"type":"message","text":"hi"}}'


def signed(body=BODY, timestamp=NOW, secret=SECRET):
    return str(timestamp), slack_signature(secret, timestamp, body)


def test_signature_is_slacks_v0_hmac():
    # the worked example from Slack's "Verifying requests from Slack" documentation
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        slack_signature(SECRET, 1531420618, body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
    expected = "v0=" + hmac.new(SECRET.encode(), b"v0:%d:" % NOW + BODY, hashlib.sha256).hexdigest()
    assert slack_signature(SECRET, NOW, BODY) == expected


def test_valid_request_accepted():
    timestamp, signature = signed()
    assert verify_slack_request(SECRET, timestamp, signature, BODY, now=NOW)
    assert verify_slack_request(SECRET, timestamp, signature, BODY, now=NOW + 299)


def test_forged_requests_rejected():
    timestamp, signature = signed()
    assert not verify_slack_request(SECRET, timestamp, signature, BODY + b" ", now=NOW)  # body changed
    assert not verify_slack_request(SECRET, str(NOW + 1), signature, BODY, now=NOW)  # timestamp changed
    assert not verify_slack_request("other-secret", timestamp, signature, BODY, now=NOW)  # wrong secret
    assert not verify_slack_request(SECRET, timestamp, signature.upper(), BODY, now=NOW)
    assert not verify_slack_request(SECRET, timestamp, "v1=" + signature[3:], BODY, now=NOW)
    assert not verify_slack_request(SECRET, timestamp, "", BODY, now=NOW)
    assert not verify_slack_request(SECRET, timestamp, None, BODY, now=NOW)
    assert not verify_slack_request(SECRET, None, signature, BODY, now=NOW)
    assert not verify_slack_request(SECRET, "not-a-number", signature, BODY, now=NOW)
    assert not verify_slack_request(SECRET, timestamp, "v0=é", BODY, now=NOW)
    assert not verify_slack_request("", *signed(secret=""), BODY, now=NOW)  # no secret set


def test_stale_or_future_timestamps_rejected_even_when_signed():
    timestamp, signature = signed(timestamp=NOW - 301)
    assert not verify_slack_request(SECRET, timestamp, signature, BODY, now=NOW)
    timestamp, signature = signed(timestamp=NOW + 301)
    assert not verify_slack_request(SECRET, timestamp, signature, BODY, now=NOW)


def test_telegram_secret_token():
    assert telegram_secret_ok("s3cret_-A", "s3cret_-A")
    assert not telegram_secret_ok("s3cret_-A", "s3cret_-B")
    assert not telegram_secret_ok("s3cret_-A", None)
    assert not telegram_secret_ok("s3cret_-A", "")
    assert not telegram_secret_ok("", "")
    assert not telegram_secret_ok("s3cret", "s3crét")
    assert valid_telegram_secret("abc_DEF-123") and valid_telegram_secret("x" * 256)
    assert not valid_telegram_secret("") and not valid_telegram_secret("x" * 257)
    assert not valid_telegram_secret("has space") and not valid_telegram_secret("é")
