"""The capacity generator's HTTP/1.1 client (bench/http_client.py) against small servers that misbehave on purpose."""

from __future__ import annotations

import asyncio

import pytest

from bench import http_client
from tests.support.loopback_server import Server

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


def _connections(base: str, **settings) -> http_client.Connections:
    return http_client.Connections(base, **{"limit": 10, "keepalive_s": 4, "timeout_s": 2, **settings})


def test_requests_are_sent_as_given_and_the_connection_is_kept():
    async def run():
        fake = Server(
            [
                OK,
                b"HTTP/1.1 303 SEE OTHER\r\nLocation: /next\r\nSet-Cookie: a=1; Path=/\r\n"
                b"Set-Cookie: b=2\r\nContent-Length: 0\r\n\r\n",
            ]
        )
        async with fake.running() as base:
            connections = _connections(base)
            first = await connections.request("GET", "/", "Accept: */*\r\n")
            second = await connections.request("POST", "/form", "Content-Type: text/plain\r\n", b"x=1")
            connections.close()
        return fake, base, first, second

    fake, base, first, second = asyncio.run(run())
    host = base.removeprefix("http://")
    assert fake.requests == [
        f"GET / HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode(),
        f"POST /form HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nx=1".encode(),
    ]
    assert fake.connections == 1
    assert (first.status, first.body) == (200, b"hello")
    assert (second.status, second.headers["location"], second.set_cookies) == (303, "/next", ["a=1; Path=/", "b=2"])


def test_chunked_bodies_and_bodies_read_to_the_close():
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\nTrailer: 1\r\n\r\n"
    to_close = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe rest"

    async def run():
        fake = Server([chunked, to_close, OK])
        async with fake.running() as base:
            connections = _connections(base)
            bodies = [(await connections.request("GET", "/", "")).body for _ in range(3)]
            connections.close()
        return fake, bodies

    fake, bodies = asyncio.run(run())
    assert bodies == [b"hello", b"the rest", b"hello"]
    # The connection answered "to the close" is not used again.
    assert fake.connections == 2


def test_a_get_is_sent_again_once_when_the_server_closed_its_connection_but_a_post_is_not():
    async def run():
        fake = Server([OK, None, OK, None])
        async with fake.running() as base:
            connections = _connections(base)
            await connections.request("GET", "/", "")
            again = await connections.request("GET", "/again", "")
            with pytest.raises(http_client.ServerDisconnected):
                await connections.request("POST", "/form", "", b"x=1")
            connections.close()
        return fake, again

    fake, again = asyncio.run(run())
    assert again.body == b"hello"
    assert [request.split(b" ")[1] for request in fake.requests] == [b"/", b"/again", b"/again", b"/form"]


def test_no_more_connections_than_the_limit_are_in_use_at_once():
    async def run():
        fake = Server([OK] * 6, delay_s=0.05)
        async with fake.running() as base:
            connections = _connections(base, limit=2)
            answers = await asyncio.gather(*(connections.request("GET", "/", "") for _ in range(6)))
            connections.close()
        return fake, answers

    fake, answers = asyncio.run(run())
    assert [answer.status for answer in answers] == [200] * 6
    assert fake.connections == 2


def test_idle_connections_are_closed_after_the_keep_alive_time():
    async def run():
        fake = Server([OK, OK])
        async with fake.running() as base:
            connections = _connections(base, keepalive_s=0.05)
            await connections.request("GET", "/", "")
            await asyncio.sleep(0.1)
            await connections.request("GET", "/", "")
            connections.close()
        return fake

    assert asyncio.run(run()).connections == 2


def test_no_answer_in_time_is_a_time_out():
    async def run():
        async def silent(reader, writer):
            await reader.read()

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            connections = _connections(f"http://127.0.0.1:{port}", timeout_s=0.1)
            with pytest.raises(TimeoutError):
                await connections.request("GET", "/", "")
            connections.close()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"SSH-2.0-OpenSSH\r\n\r\n", http_client.BadResponse),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", http_client.BodyCutShort),
    ],
)
def test_answers_that_cannot_be_read_are_errors(answer, error):
    async def run():
        async def once(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(once, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            connections = _connections(f"http://127.0.0.1:{port}")
            with pytest.raises(error):
                await connections.request("POST", "/", "", b"")
            connections.close()

    asyncio.run(run())


def test_a_closed_port_is_a_connection_error():
    async def run():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(http_client.CannotConnect):
            await _connections(f"http://127.0.0.1:{port}").request("GET", "/", "")

    asyncio.run(run())
