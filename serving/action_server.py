"""The action server as Ankle Coach runs it (`python -m serving.action_server`, started by scripts/serve).

What differs from `rasa run actions`: it listens on 127.0.0.1 unless ANKLE_COACH_ACTION_HOST says
otherwise (only Rasa talks to it); request bodies over 256 KB are refused before buffering, and a
deflate-compressed body may not inflate past that cap either (a 1 MB bomb would otherwise become
1 GiB); JSON nested deeper than 32 levels is refused; a failing action is logged by name and error
type only (stock rasa_sdk logs, and answers with, the whole tracker).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request

from serving.limits import MAX_BODY_BYTES, TooLarge, inflate, json_depth_ok

logger = logging.getLogger("serving.action_server")


def create_app(package: str = "actions") -> Sanic:
    app = Sanic("ankle_coach_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.REQUEST_TIMEOUT = 15
    app.config.RESPONSE_TIMEOUT = 30
    executor = ActionExecutor()
    executor.register_package(package)

    @app.get("/health")
    async def health(_: Request) -> Any:
        return response.json({"status": "ok"})

    @app.post("/webhook")
    async def webhook(request: Request) -> Any:
        body = request.body or b""
        encoding = (request.headers.get("Content-Encoding") or "").lower()
        try:
            if encoding == "deflate":
                body = inflate(body)
            elif encoding not in ("", "identity"):
                return response.json({"error": f"unsupported Content-Encoding {encoding}"}, status=415)
        except TooLarge:
            return response.json({"error": f"body inflates past {MAX_BODY_BYTES} bytes"}, status=413)
        except Exception:  # noqa: BLE001 (any corrupt stream)
            return response.json({"error": "body is not valid deflate data"}, status=400)
        if not json_depth_ok(body):
            return response.json({"error": "JSON nested too deeply"}, status=400)
        try:
            call = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return response.json({"error": "body is not JSON"}, status=400)
        if not isinstance(call, dict) or not isinstance(call.get("next_action"), str):
            return response.json({"error": "body is not an action call"}, status=400)
        try:
            result = await executor.run(call)
        except ActionExecutionRejection as rejection:
            return response.json({"error": rejection.message, "action_name": rejection.action_name}, status=400)
        except ActionNotFoundException as missing:
            return response.json({"error": missing.message, "action_name": missing.action_name}, status=404)
        except Exception as error:  # noqa: BLE001 (the actions send safe replies; this is the last resort)
            logger.error("Action %s failed: %s", call.get("next_action"), type(error).__name__)
            return response.json({"error": "action failed", "action_name": call.get("next_action")}, status=500)
        return response.json(result)

    return app


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("ANKLE_COACH_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)-7s %(name)s - %(message)s",
    )
    host = os.environ.get("ANKLE_COACH_ACTION_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTION_PORT", "5055"))
    logger.info("Action server on http://%s:%d", host, port)
    create_app().run(host=host, port=port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
