"""Clients that behave like the app's real users, over real HTTP and websockets.

A phone loads the join page (CSRF cookie and token), posts the join form, keeps
the participant cookie it is given, loads its page, then opens its websocket.
A facilitator signs in through the admin login and moves the show on with the
same form POSTs the control view sends.

Used by the benchmark (bench/run.py) and by the scale-out tests. Loopback only:
a tiny HTTP/1.1 client on asyncio streams, one connection per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import urllib.parse
from dataclasses import dataclass, field

import websockets

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """Cookies and HTTP for one person on one server (host:port)."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return self.base_url.rstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        parts = urllib.parse.urlsplit(self.base_url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Connection: close",
            "User-Agent: workshop-bench",
            "Accept-Language: en",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
            lines.append(f"Origin: {self.origin}")
            lines.append(f"Referer: {self.origin}{path}")
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        return await asyncio.wait_for(self._exchange(host, port, raw), timeout)

    async def _exchange(self, host: str, port: int, raw: bytes) -> Response:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(raw)
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = []
        for line in header_lines:
            key, _, value = line.partition(":")
            headers.append((key.strip(), value.strip()))
        response = Response(int(status_line.split()[1]), headers, body)
        if (response.header("Transfer-Encoding") or "").lower() == "chunked":
            response.body = _unchunk(body)
        for key, value in headers:
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post_form(self, path: str, form: dict[str, str], *, page: str | None = None):
        """POST a form the way a browser does: CSRF token from the page first."""
        token = self.cookies.get("csrftoken")
        if page is not None or token is None:
            loaded = await self.get(page or path)
            match = _CSRF_INPUT.search(loaded.text)
            token = match.group(1) if match else self.cookies.get("csrftoken", "")
        return await self.request("POST", path, {**form, "csrfmiddlewaretoken": token})

    def ws_url(self, path: str) -> str:
        return self.base_url.replace("http://", "ws://").rstrip("/") + path

    async def websocket(self, path: str, **kwargs):
        """Open a websocket with this browser's cookies and Origin."""
        headers = {"Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return await websockets.connect(
            self.ws_url(path),
            additional_headers=headers,
            max_size=2**22,
            compression=None,
            open_timeout=60,
            ping_interval=None,
            **kwargs,
        )


def _unchunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)


# --- people ------------------------------------------------------------------------


async def join(base_url: str, code: str, nickname: str = "") -> Browser:
    """A phone joins: the form POST, whose answer is its participant page."""
    phone = Browser(base_url)
    response = await phone.post_form("/join/", {"code": code, "nickname": nickname})
    if response.status != 200 or "data-live-url" not in response.text:
        raise RuntimeError(f"join failed: HTTP {response.status}: {response.text[:500]}")
    return phone


async def sign_in(base_url: str, username: str, password: str) -> Browser:
    facilitator = Browser(base_url)
    response = await facilitator.post_form(
        "/admin/login/?next=/facilitate/",
        {"username": username, "password": password, "next": "/facilitate/"},
    )
    if response.status != 302 or "sessionid" not in facilitator.cookies:
        raise RuntimeError(f"sign-in failed: HTTP {response.status}")
    return facilitator


async def create_session(facilitator: Browser, template_title: str, groups: int = 0):
    """Create a session from the dashboard; returns (public_id, code)."""
    dashboard = await facilitator.get("/facilitate/")
    match = re.search(
        r'<option value="(\d+)"[^>]*>\s*' + re.escape(template_title) + r"\s*</option>",
        dashboard.text,
    )
    if match is None:
        raise RuntimeError(f"no template {template_title!r} on the dashboard")
    response = await facilitator.post_form(
        "/facilitate/new", {"template": match.group(1), "group_count": str(groups), "title": ""}
    )
    location = response.header("Location") or ""
    public_id = location.rstrip("/").rsplit("/", 1)[-1]
    control = await facilitator.get(location)
    code = re.search(r'class="code-pill"[^>]*>([A-Z0-9]{6})<', control.text)
    if response.status != 302 or code is None:
        raise RuntimeError(f"could not create a session: HTTP {response.status}")
    return public_id, code.group(1)


async def go(facilitator: Browser, public_id: str, to: str = "next") -> Response:
    """The control view's next/previous button (a plain form POST)."""
    response = await facilitator.post_form(f"/facilitate/{public_id}/step", {"to": to})
    if response.status not in (200, 302):
        raise RuntimeError(f"step change failed: HTTP {response.status}: {response.text[:300]}")
    return response


def regions_of(message: str | bytes) -> dict[str, str]:
    """region id -> html of a regions push; {} for anything else."""
    data = json.loads(message)
    if data.get("t") != "regions":
        return {}
    return {region["id"]: region["html"] for region in data["regions"]}
