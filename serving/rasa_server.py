"""The Rasa server as Ankle Coach runs it (`python -m serving.rasa_server`, started by scripts/serve).

What differs from `rasa run --enable-api --cors "*"`:

- Rasa's HTTP API (trackers, model, events) is off unless RASA_AUTH_TOKEN or RASA_JWT_SECRET is set,
  and then every call needs it. Tokens are read from the environment, never from the command line.
- `GET /health` always answers (for health checks and load balancers); `GET /status` answers the
  model file when the API is off (the API's own, token-protected /status when it is on).
- CORS, for HTTP and socket.io alike, only for the widget's origins (ANKLE_COACH_WEB_ORIGINS).
- Request bodies over 256 KB are refused before they are buffered; requests and responses time out.
- Telemetry is off, and the logs carry no message text.
- Conversations older than the retention period are erased at start-up (and by `make forget-old`).
"""

from __future__ import annotations

import argparse
import logging
import os
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # before Rasa is imported: a health app sends nothing

from rasa.core import run  # noqa: E402
from rasa.core.utils import AvailableEndpoints  # noqa: E402
from rasa.utils.common import configure_logging_and_warnings  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402
from sanic import Sanic, response  # noqa: E402
from sanic.request import Request  # noqa: E402

from serving import action_failure, action_payload, idempotent_turns, model_loading, session_start  # noqa: E402
from serving.conversations import forget_older_than, retention_days  # noqa: E402
from serving.limits import MAX_BODY_BYTES  # noqa: E402
from serving.settings import Settings  # noqa: E402

logger = logging.getLogger("serving.rasa_server")


def build_app(settings: Settings, model: str, credentials: str, endpoints_file: str) -> Sanic:
    endpoints = AvailableEndpoints.read_endpoints(endpoints_file)
    channels = run.create_http_input_channels(None, credentials)
    app = run.configure_app(
        channels,
        cors=settings.web_origins,
        auth_token=settings.auth_token,
        enable_api=settings.api_enabled,
        response_timeout=settings.response_timeout,
        jwt_secret=settings.jwt_secret,
        jwt_method=settings.jwt_method,
        endpoints=endpoints,
        port=settings.rasa_port,
    )
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.REQUEST_TIMEOUT = settings.request_timeout
    app.config.RESPONSE_TIMEOUT = settings.response_timeout
    app.config.ACCESS_LOG = False
    add_health_routes(app, settings, Path(model))
    app.register_listener(partial(run.load_agent_on_start, model, endpoints, None), "before_server_start")
    app.register_listener(erase_old_conversations, "after_server_start")
    app.register_listener(run.close_resources, "after_server_stop")
    model_loading.install()
    action_payload.install()
    session_start.install()
    idempotent_turns.install()
    action_failure.install()
    return app


def add_health_routes(app: Sanic, settings: Settings, model: Path) -> None:
    @app.get("/health")
    async def health(request: Request) -> Any:
        ready = getattr(request.app.ctx, "agent", None) is not None and request.app.ctx.agent.is_ready()
        return response.json({"status": "ok" if ready else "loading"}, status=200 if ready else 503)

    if not settings.api_enabled:

        @app.get("/status")
        async def status(request: Request) -> Any:
            ready = getattr(request.app.ctx, "agent", None) is not None and request.app.ctx.agent.is_ready()
            return response.json(
                {"model_file": model.resolve().name if ready else None, "status": "ready" if ready else "loading"},
                status=200 if ready else 503,
            )


async def erase_old_conversations(app: Sanic, _: Any) -> None:
    try:
        erased = forget_older_than(app.ctx.agent.tracker_store, retention_days())
        logger.info("Retention: erased %d conversation(s) older than %g days", erased, retention_days())
    except NotImplementedError as error:
        logger.warning("Retention not applied: %s", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/current.tar.gz")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--endpoints", default="endpoints.yml")
    args = parser.parse_args()
    settings = Settings.from_environment()
    # Rasa's debug lines carry the runners' messages; INFO and above carry none.
    level = logging.getLevelName(os.environ.get("ANKLE_COACH_LOG_LEVEL", "INFO").upper())
    configure_logging_and_warnings(level)
    configure_structlog(level)
    app = build_app(settings, args.model, args.credentials, args.endpoints)
    logger.info(
        "Rasa server on http://%s:%d (HTTP API %s; CORS for %s)",
        settings.host,
        settings.rasa_port,
        "on, token required" if settings.api_enabled else "off",
        ", ".join(settings.web_origins) or "none",
    )
    app.run(host=settings.host, port=settings.rasa_port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
