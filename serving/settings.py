"""Server settings from the environment (see README, "Privacy and security" and "Deploy")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

from serving.limits import env_number


def web_origins(environ: Mapping[str, str] = os.environ) -> List[str]:
    """The origins the widget is served from: the only pages whose scripts may call the servers.

    ANKLE_COACH_WEB_ORIGINS (comma-separated), else the demo page's own origin on WEB_PORT."""
    configured = [origin.strip().rstrip("/") for origin in environ.get("ANKLE_COACH_WEB_ORIGINS", "").split(",")]
    configured = [origin for origin in configured if origin]
    if configured:
        return configured
    port = environ.get("WEB_PORT", "8000")
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


@dataclass(frozen=True)
class Settings:
    host: str
    rasa_port: int
    action_port: int
    auth_token: Optional[str]
    jwt_secret: Optional[str]
    jwt_method: str
    web_origins: Tuple[str, ...]
    request_timeout: int
    response_timeout: int
    trust_proxy: bool

    @property
    def api_enabled(self) -> bool:
        """Rasa's HTTP API only with a token or a JWT secret, and then every call needs it."""
        return bool(self.auth_token or self.jwt_secret)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        return cls(
            host=environ.get("ANKLE_COACH_HOST", "127.0.0.1"),
            rasa_port=int(environ.get("RASA_PORT", "5005")),
            action_port=int(environ.get("ACTION_PORT", "5055")),
            auth_token=environ.get("RASA_AUTH_TOKEN") or None,
            jwt_secret=environ.get("RASA_JWT_SECRET") or None,
            jwt_method=environ.get("RASA_JWT_METHOD", "HS256"),
            web_origins=tuple(web_origins(environ)),
            request_timeout=int(env_number(environ, "ANKLE_COACH_REQUEST_TIMEOUT", 15, minimum=1)),
            response_timeout=int(env_number(environ, "ANKLE_COACH_RESPONSE_TIMEOUT", 60, minimum=1)),
            trust_proxy=environ.get("ANKLE_COACH_TRUST_PROXY", "") in ("1", "true", "yes"),
        )
