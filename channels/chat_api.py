"""Calling a chat app's web API (Telegram, Slack), configured from the environment only."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)


def env(name: str, default: str = "") -> str:
    return (os.environ.get(name) or default).strip()


class ApiClient:
    """POSTs to a chat app's web API; returns the JSON answer or None (errors are logged, not raised)."""

    def __init__(self, service: str, timeout: float = 15):
        self.service = service
        self.timeout = timeout
        self._session: Optional[aiohttp.ClientSession] = None

    async def post(
        self, url: str, method: str, *, json: Optional[dict] = None, headers: Optional[Dict[str, str]] = None
    ) -> Optional[dict]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            async with self._session.post(url, json=json, headers=headers) as response:
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.error("%s %s failed: %s", self.service, method, type(error).__name__)
            return None
        if response.status >= 400 or not isinstance(data, dict) or data.get("ok") is False:
            detail = data.get("description") or data.get("error") if isinstance(data, dict) else None
            logger.error("%s %s answered %s: %s", self.service, method, response.status, detail)
        return data if isinstance(data, dict) else None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
