"""A small HTTP/1.1 client over asyncio streams: keep-alive connections to one server, for the capacity run.

Kept here rather than using aiohttp because the generator shares the cores with
the server it measures, and aiohttp's per-request objects took most of its CPU.

It speaks just what the capacity generator needs from gunicorn on loopback:
one request at a time on each connection, the request's head written as given
(with Host first and Content-Length last, as aiohttp sent them), and answers
with a Content-Length, chunked, or read to the close. At most `limit`
connections are in use at once; an idle one is kept for `keepalive_s` and then
closed, before the server's own keep-alive would close it under a request. A
GET that finds its connection closed by the server is sent once more on
another, as aiohttp does, if no answer has begun; a POST is not. Bodies are returned as sent
(Content-Encoding is the caller's business).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

# Statuses that never have a body.
BODILESS = frozenset({204, 304})
# The headers this client reads (to find the body's end and keep the connection) or its caller needs;
# picked out of the head in one pass rather than splitting every header line.
HEADERS = re.compile(
    r"\r\n(content-length|transfer-encoding|connection|content-encoding|location|set-cookie)[ \t]*:([^\r]*)",
    re.IGNORECASE,
)


class ClientError(Exception):
    """The request got no proper answer."""


class CannotConnect(ClientError):
    pass


class ServerDisconnected(ClientError):
    """The connection was closed before a whole answer came."""


class SocketError(ClientError):
    pass


class BadResponse(ClientError):
    """What came back is not an HTTP/1.x answer this client can read."""


class BodyCutShort(ClientError):
    """The answer's head came, but not all of its body."""


@dataclass(slots=True)
class Response:
    status: int
    # Only those in HEADERS, names lower-cased; a repeated header's values joined by ", ", except Set-Cookie's.
    headers: dict[str, str]
    set_cookies: list[str]
    body: bytes


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def close(self) -> None:
        self.writer.close()


class Connections:
    """Keep-alive connections to the server at `base` ("http://host:port"), shared by every caller."""

    def __init__(self, base: str, *, limit: int, keepalive_s: float, timeout_s: float):
        parts = urlsplit(base)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"only plain http is spoken here, not {base}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.host_line = f"Host: {parts.netloc}\r\n"
        self.keepalive_s, self.timeout_s = keepalive_s, timeout_s
        self.in_use = asyncio.Semaphore(limit)
        self.idle: list[_Connection] = []
        self.opened = 0

    async def request(self, method: str, target: str, headers: str, body: bytes | None = None) -> Response:
        """One request, within the time-out from here (waiting for a connection included).

        `headers`: the header lines after Host, each ending "\\r\\n"; Content-Length is added for a body.
        Raises TimeoutError, or a ClientError."""
        head = f"{method} {target} HTTP/1.1\r\n{self.host_line}{headers}"
        if body is None:
            message = (head + "\r\n").encode()
        else:
            message = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        async with asyncio.timeout(self.timeout_s), self.in_use:
            # A GET is sent again, once, if its connection turns out to have been closed by the server.
            retries = 1 if method == "GET" else 0
            while True:
                connection = await self._connection()
                try:
                    response, reusable = await self._exchange(connection, message)
                except (ServerDisconnected, SocketError):
                    connection.close()
                    if retries:
                        retries -= 1
                        continue
                    raise
                except BaseException:
                    # A time-out or a broken answer: the connection is in an unknown state.
                    connection.close()
                    raise
                if reusable:
                    self._keep(connection)
                else:
                    connection.close()
                return response

    async def _connection(self) -> _Connection:
        now = time.monotonic()
        while self.idle:
            connection = self.idle.pop()
            if now - connection.idle_since < self.keepalive_s and not connection.reader.at_eof():
                return connection
            connection.close()
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise CannotConnect(str(exc)) from exc
        self.opened += 1
        return _Connection(reader, writer)

    def _keep(self, connection: _Connection) -> None:
        now = connection.idle_since = time.monotonic()
        self.idle.append(connection)
        # The oldest are at the bottom: close those idle too long, so they are not left for the server to close.
        while now - self.idle[0].idle_since >= self.keepalive_s:
            self.idle.pop(0).close()

    @staticmethod
    async def _exchange(connection: _Connection, message: bytes) -> tuple[Response, bool]:
        """Send one request and read its answer; the answer, and whether the connection can be used again."""
        reader = connection.reader
        try:
            connection.writer.write(message)
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            version, _, rest = head[: head.index("\r\n")].partition(" ")
            if not version.startswith("HTTP/1.") or len(rest) < 3 or not rest[:3].isdigit():
                raise BadResponse(f"not an HTTP/1.x status line: {head[:80]!r}")
            status = int(rest[:3])
            headers: dict[str, str] = {}
            set_cookies: list[str] = []
            for name, value in HEADERS.findall(head):
                name, value = name.lower(), value.strip()
                if name == "set-cookie":
                    set_cookies.append(value)
                elif name in headers:
                    headers[name] += ", " + value
                else:
                    headers[name] = value
            reusable = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        except asyncio.IncompleteReadError as exc:
            raise ServerDisconnected(f"closed after {len(exc.partial)} bytes of the answer's head") from None
        except asyncio.LimitOverrunError as exc:
            raise BadResponse("a header block too long") from exc
        except ValueError as exc:
            raise BadResponse(str(exc)) from exc
        except OSError as exc:
            raise SocketError(f"{type(exc).__name__}: {exc}") from exc
        try:
            if status < 200 or status in BODILESS:
                body = b""
            elif "chunked" in headers.get("transfer-encoding", "").lower():
                body = await _chunked(reader)
            elif (length := headers.get("content-length")) is not None:
                body = await reader.readexactly(int(length))
            else:
                body, reusable = await reader.read(), False
        except asyncio.IncompleteReadError as exc:
            raise BodyCutShort(f"closed after {len(exc.partial)} bytes of a part of the body") from None
        except asyncio.LimitOverrunError as exc:
            raise BadResponse("a chunk line too long") from exc
        except ValueError as exc:
            raise BadResponse(str(exc)) from exc
        except OSError as exc:
            raise BodyCutShort(f"{type(exc).__name__}: {exc}") from exc
        return Response(status, headers, set_cookies, body), reusable

    def close(self) -> None:
        """Close the idle connections; any still in use are closed by their requests."""
        while self.idle:
            self.idle.pop().close()


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            break
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise BadResponse("a chunk not followed by CRLF")
    # Trailers, if any, up to the empty line.
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass
    return b"".join(parts)
