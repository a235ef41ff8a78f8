"""The server's signing secret: web session ids and button payloads are signed with it.

ANKLE_COACH_SECRET when set (every server of a cluster must share it), else a random secret made
once and kept in var/secret (readable by its owner only), so sessions survive a restart."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = Path(os.environ.get("ANKLE_COACH_VAR", Path(__file__).resolve().parent.parent / "var")) / "secret"


@functools.lru_cache(maxsize=1)
def server_secret() -> bytes:
    configured = os.environ.get("ANKLE_COACH_SECRET", "").strip()
    if configured:
        return configured.encode("utf-8")
    try:
        return SECRET_FILE.read_bytes().strip()
    except FileNotFoundError:
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(32).encode("ascii")
        descriptor = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(value)
        return value


def signature(*parts: str, secret: bytes = b"") -> str:
    """A short HMAC-SHA256 over the parts (hex, 96 bits: unguessable, short enough for a payload)."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret or server_secret(), message, hashlib.sha256).hexdigest()[:24]


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
