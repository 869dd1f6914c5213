"""A loopback HTTP server scripted answer by answer, for the benchmark's own HTTP client and visitor."""

from __future__ import annotations

import asyncio
import contextlib


class Server:
    """A loopback server that answers each request with the next of `answers` (bytes, or None to
    close the connection without answering; it closes it after "Connection: close" too), and
    records what it was sent. Each answer waits `delay_s` first."""

    def __init__(self, answers: list[bytes | None], delay_s: float = 0.0):
        self.answers, self.delay_s = list(answers), delay_s
        self.requests: list[bytes] = []
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                self.requests.append(head + await reader.readexactly(length))
                answer = self.answers.pop(0)
                await asyncio.sleep(self.delay_s)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @contextlib.asynccontextmanager
    async def running(self):
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            yield f"http://127.0.0.1:{port}"
