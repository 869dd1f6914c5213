"""Scale-out: two gunicorn instances, started with the repository's gunicorn.conf.py in
production mode, sharing one PostgreSQL database and one Redis, serve the same people.

As behind a load balancer with one hostname, one cookie jar goes to both: a journey
that alternates instance on every request reaches the same results as the matcher;
a call-back sent to one is in the other's staff console; the rate limit is counted
once for both. A negative control shows the limit is *not* shared with memory://.

Everything listens on 127.0.0.1; every wait and loop is bounded in count and time.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyotp
import pytest
import requests

from tests.support.answers import CALLBACK, FULL, PERSONAL_PIECES, answer_codes
from tests.support.database_servers import new_database
from tests.support.operator import OPERATOR_SETTINGS
from tests.support.scale_out import CSRF, FORM_KEY, REFERENCE, TIMEOUT, TOO_MANY, Instance, Visitor, instances
from wizard.storage import Database, Sealer
from wizard.storage.crypto import new_key
from wizard.storage.staff_accounts import Accounts

KEY = new_key()
SECRET = secrets.token_hex(32)
STAFF, STAFF_PASSWORD = "alice", "correct horse battery staple"


def csrf_token(response: requests.Response) -> str:
    match = CSRF.search(response.text)
    assert match, f"no CSRF token on {response.url}"
    return match.group(1)


def walk(visitor: Visitor, answers: dict) -> requests.Response:
    """Answer whatever question is shown until there is none left, on alternating instances."""
    page = visitor.get("/questions")
    for _step in range(30):
        path = urlsplit(page.url).path
        if not path.startswith("/questions/"):
            return page
        assert page.status_code == 200, (path, page.status_code)
        question = path.rsplit("/", 1)[1]
        page = visitor.post(path, {"csrf_token": csrf_token(page), question: answers[question]})
    pytest.fail("the journey does not end")


def approaches_on(html: str) -> set[str]:
    cards = set(re.findall(r'<li class="card" id="approach-([^"]+)"', html))
    listed = set(re.findall(r'href="/approaches/([^"?#]+)"', html))
    return cards | listed


def send_callback(visitor: Visitor, form_base: str, post_base: str) -> requests.Response:
    page = visitor.get("/reach-out", base=form_base)
    assert page.status_code == 200
    key = FORM_KEY.search(page.text)
    assert key
    data = {**CALLBACK, "csrf_token": csrf_token(page), "form_key": key.group(1)}
    return visitor.post("/reach-out", data, base=post_base)


def reference_of(response: requests.Response) -> str | None:
    if response.status_code != 200 or not response.url.endswith("/reach-out/requested"):
        return None
    match = REFERENCE.search(response.text)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def database_for_instances(postgres_url) -> Iterator[str]:
    with new_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="module")
def pair(database_for_instances, redis_url, tmp_path_factory) -> Iterator[list[Instance]]:
    env = {
        "WIZARD_ENV": "production",
        **OPERATOR_SETTINGS,
        "PUBLIC_HOST": "127.0.0.1,localhost",
        "SECRET_KEY": SECRET,
        "DATA_KEYS": KEY,
        "DATABASE_URL": database_for_instances,
        "RATELIMIT_STORAGE_URI": redis_url,
        "CALLBACK_RATE_LIMIT": "3 per hour",
        # Small, so four instances fit on a two-core machine next to the tests.
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "LOG_LEVEL": "INFO",
    }
    with instances(2, env, tmp_path_factory.mktemp("scale-out")) as started:
        yield started


@pytest.fixture
def visitor(pair) -> Iterator[Visitor]:
    visitor = Visitor([instance.base for instance in pair])
    yield visitor
    visitor.close()


def test_a_journey_alternating_between_instances_reaches_the_matchers_results(pair, visitor, matcher):
    page = walk(visitor, FULL)
    assert urlsplit(page.url).path == "/check-answers", page.url
    results = visitor.get("/results")
    assert results.status_code == 200
    assert "Your next steps" in results.text
    expected = matcher.match(FULL)
    wanted = {m.approach.id for m in (*expected.approaches, *expected.information)}
    assert approaches_on(results.text) == wanted
    # Both instances served the journey, about half each.
    a, b = (visitor.served_by[instance.base] for instance in pair)
    assert a >= 10 and b >= 10 and abs(a - b) <= 1, visitor.served_by

    # A share link made on one instance opens on the other, for someone with no cookie at all.
    share = visitor.get("/results/share", base=pair[0].base)
    link = re.search(r'id="share-link" type="text" value="([^"]+)"', share.text)
    assert link and urlsplit(link.group(1)).path.startswith("/shared/")
    shared = requests.get(pair[1].base + urlsplit(link.group(1)).path, timeout=TIMEOUT)
    assert shared.status_code == 200
    assert approaches_on(shared.text) == wanted


def _sign_in_staff(visitor: Visitor, database_url: str, base: str) -> None:
    database = Database(database_url)
    try:
        link = "/staff/enrol/" + Accounts(database, Sealer([KEY])).create(STAFF).token
    finally:
        database.dispose()
    page = visitor.get(link, base=base)
    secret = re.search(r'id="secret">([A-Z2-7 ]+)</code>', page.text)
    assert secret
    code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
    data = {"csrf_token": csrf_token(page), "password": STAFF_PASSWORD, "password_again": STAFF_PASSWORD, "code": code}
    page = visitor.post(link, data, base=base)
    assert urlsplit(page.url).path == "/staff", page.url
    assert "Signed in as alice" in " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def test_a_call_back_sent_to_one_instance_is_in_the_other_instances_staff_console(
    pair, visitor, database_for_instances, redis_url
):
    _flush(redis_url)
    a, b = (instance.base for instance in pair)
    walk(visitor, FULL)
    reference = reference_of(send_callback(visitor, form_base=b, post_base=a))
    assert reference, "the call-back was not confirmed"

    staff = Visitor([b])
    try:
        _sign_in_staff(staff, database_for_instances, base=b)
        inbox = staff.get("/staff", base=b)
        assert reference in inbox.text
        details = staff.get(f"/staff/requests/{reference}", base=b)
        assert details.status_code == 200
        assert CALLBACK["name"] in details.text and CALLBACK["email"] in details.text
        # The staff session lives in the database too: the same cookie works on the first instance.
        assert reference in staff.get("/staff", base=a).text
    finally:
        staff.close()


def _flush(redis_url: str) -> None:
    import redis

    with redis.Redis.from_url(redis_url, socket_timeout=5) as client:
        client.flushdb()


def _accepted(response: requests.Response) -> bool:
    if reference_of(response):
        return True
    assert response.status_code == 429, response.status_code
    assert TOO_MANY in response.text
    return False


def test_the_rate_limit_is_shared_through_redis(pair, visitor, redis_url):
    _flush(redis_url)  # counts from the other tests start again
    a, b = (instance.base for instance in pair)
    # CALLBACK_RATE_LIMIT is 3 per hour: two on one instance and one on the other use it up...
    sent = [
        _accepted(send_callback(visitor, form_base=a, post_base=a)),
        _accepted(send_callback(visitor, form_base=b, post_base=a)),
        _accepted(send_callback(visitor, form_base=a, post_base=b)),
    ]
    assert sent == [True, True, True]
    # ...and the fourth is refused with the friendly page, on either instance.
    assert _accepted(send_callback(visitor, form_base=b, post_base=a)) is False
    assert _accepted(send_callback(visitor, form_base=a, post_base=b)) is False
    # Reading the form is never limited.
    assert visitor.get("/reach-out", base=a).status_code == 200


def test_with_memory_storage_each_instance_counts_on_its_own(database_for_instances, tmp_path):
    """The negative control: without Redis the same limit is per process, so twice as many get through."""
    env = {
        "WIZARD_ENV": "production",
        **OPERATOR_SETTINGS,
        "PUBLIC_HOST": "127.0.0.1,localhost",
        "SECRET_KEY": SECRET,
        "DATA_KEYS": KEY,
        "DATABASE_URL": database_for_instances,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CALLBACK_RATE_LIMIT": "3 per hour",
        # One worker each, so each instance has exactly one counter.
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
    }
    with instances(2, env, tmp_path) as started:
        a, b = (instance.base for instance in started)
        visitor = Visitor([a, b])
        try:
            on_a = [_accepted(send_callback(visitor, form_base=a, post_base=a)) for _ in range(4)]
            on_b = [_accepted(send_callback(visitor, form_base=b, post_base=b)) for _ in range(3)]
        finally:
            visitor.close()
    assert on_a == [True, True, True, False]
    assert on_b == [True, True, True], "the second instance knew of the first one's count"


def test_the_instances_logs_are_json_lines_with_nothing_personal(pair, visitor, redis_url):
    """Last in this module: everything above went through these two servers. A journey, a share
    link and a call-back once more, so that this test also stands on its own."""
    _flush(redis_url)
    a, b = (instance.base for instance in pair)
    walk(visitor, FULL)
    share = visitor.get("/results/share", base=a)
    link = re.search(r'id="share-link" type="text" value="[^"]+(/shared/[^"]+)"', share.text)
    assert link
    code = link.group(1).removeprefix("/shared/")
    assert requests.get(b + link.group(1) + "/plan?lang=ar", timeout=TIMEOUT).status_code == 200
    assert reference_of(send_callback(visitor, form_base=a, post_base=b))
    time.sleep(0.5)  # the last request lines reach the files
    for instance in pair:
        text = instance.log()
        lines = text.splitlines()
        assert lines, f"{instance.name} wrote no log"
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                pytest.fail(f"{instance.name} wrote a line that is not JSON: {line[:300]!r}")
        routes = {e.get("route") for e in entries if e["logger"] == "wizard.access"}
        assert {"/questions/<question_id>", "/reach-out"} <= routes, routes
        for piece in PERSONAL_PIECES:
            assert piece.lower() not in text.lower(), f"{piece!r} is in {instance.name}'s log"
        words = set(re.findall(r"\w+", text))
        for answer in answer_codes():
            assert answer not in words, f"the answer code {answer!r} is in {instance.name}'s log"
        assert code not in text and code[:16] not in text, "the share code is in the log"
        assert "/shared/" not in text.replace("/shared/<code>", ""), "a share link is in the log"
        assert SECRET not in text and KEY not in text
        # Not even the client's address (flask-limiter would name it when a limit is reached).
        limited = [e["message"] for e in entries if e["logger"] == "flask-limiter"]
        assert not any("127.0.0.1" in message for message in limited), limited
