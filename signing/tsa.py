"""RFC 3161 over HTTP for production TSAs, using only the standard library.

pyHanko ships a ``requests``/``aiohttp`` client; this one avoids adding a
runtime dependency and honours a timeout and optional basic authentication.
"""

from __future__ import annotations

import asyncio
import base64
import urllib.error
import urllib.request

from asn1crypto import tsp
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

__all__ = ["HttpTimeStamper"]


class HttpTimeStamper(TimeStamper):
    def __init__(self, url: str, *, timeout: float = 10.0, username: str | None = None,
                 password: str | None = None):
        super().__init__()
        self.url = url
        self.timeout = timeout
        self._auth = None
        if username is not None:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"

    def _post(self, body: bytes) -> tsp.TimeStampResp:
        headers = {"Content-Type": "application/timestamp-query"}
        if self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                ctype = resp.headers.get("Content-Type", "")
                data = resp.read()
        except (OSError, urllib.error.URLError) as exc:
            raise TimestampRequestError(f"cannot reach the TSA at {self.url}: {exc}") from exc
        if not ctype.startswith("application/timestamp-reply"):
            raise TimestampRequestError(f"the TSA at {self.url} answered {ctype!r}")
        return tsp.TimeStampResp.load(data)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await asyncio.to_thread(self._post, req.dump())
