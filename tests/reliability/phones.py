"""Phones for fault tests: Playwright pages running the real live.js, whose
websocket goes through a switch the test controls.

The switch models what a phone's network does to a websocket. Playwright's
``set_offline`` leaves open websockets alone (microsoft/playwright#4910), so
the switch does it: going offline kills every open connection *silently* (the
page's socket still says OPEN, as a phone's does after losing the network:
nothing arrives, nothing gets through; the server side is closed, as the
server's pings would find out) and refuses new ones until back online.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..live_server import LiveServer
from ..live_tools import LiveSession

PHONE = {"width": 390, "height": 844}


@dataclass
class Link:
    page_side: object
    server_side: object
    dead: bool = False


@dataclass
class NetworkSwitch:
    offline: bool = False
    links: list[Link] = field(default_factory=list)
    attempts: list[float] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)  # frames that reached the server
    lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, ws) -> None:
        self.attempts.append(time.monotonic())
        if self.offline:
            ws.close(code=4000, reason="offline")  # what a failed connect looks like to JS
            return
        server = ws.connect_to_server()
        link = Link(ws, server)
        with self.lock:
            self.links.append(link)

        def to_server(message) -> None:
            if not link.dead:
                self.delivered.append(message if isinstance(message, str) else "")
                server.send(message)

        def to_page(message) -> None:
            if not link.dead:
                ws.send(message)

        def page_closed(code, reason) -> None:
            if not link.dead:
                server.close(code=code or 1000, reason=reason or "")

        def server_closed(code, reason) -> None:
            if not link.dead:
                ws.close(code=code or 1000, reason=reason or "")

        ws.on_message(to_server)
        server.on_message(to_page)
        ws.on_close(page_closed)
        server.on_close(server_closed)

    def kill_silently(self) -> None:
        """Every open connection dies without the page being told."""
        with self.lock:
            links, self.links = self.links, []
        for link in links:
            link.dead = True
            with contextlib.suppress(Exception):  # already closed
                link.server_side.close(code=1001, reason="network gone")

    def drop(self) -> None:
        """Every open connection closes, and the page is told (a wifi hop)."""
        with self.lock:
            links, self.links = self.links, []
        for link in links:
            link.dead = True
            with contextlib.suppress(Exception):  # already closed
                link.server_side.close(code=1001, reason="network gone")
            with contextlib.suppress(Exception):
                link.page_side.close(code=4000, reason="network gone")

    def go_offline(self, context) -> None:
        self.offline = True
        context.set_offline(True)
        self.kill_silently()

    def go_online(self, context) -> None:
        self.offline = False
        context.set_offline(False)


def open_phone(browser, server: LiveServer, session: LiveSession, index: int):
    """A phone already joined as ``session.participants[index]``."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    name, value = session.participants[index]["cookie"].split("=", 1)
    host = urlsplit(server.url).hostname
    context.add_cookies([{"name": name, "value": value, "domain": host, "path": "/"}])
    switch = NetworkSwitch()
    context.route_web_socket("**/ws/**", switch.route)
    page = context.new_page()
    page.goto(f"{server.url}/p/{session.code}/")
    return context, page, switch


BACKGROUND = """(hidden) => {
  Object.defineProperty(document, "visibilityState", {configurable: true,
    get: () => hidden ? "hidden" : "visible"});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  document.dispatchEvent(new Event("visibilitychange"));
  if (hidden) {
    window.dispatchEvent(new PageTransitionEvent("pagehide", {persisted: true}));
  } else {
    window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
  }
}"""
