"""The deployment guide's nginx configuration, run for real in front of two instances.

The `nginx` block of docs/deploy.md is taken as written; only what a test
machine must change is changed: the instances' ports, addresses and ports to
listen on (127.0.0.1 only, no IPv6), a self-signed certificate, and the few
top-level lines nginx needs outside a full installation (pid, error log and
temporary files in a folder of the test's own). Then, through the proxy:
HTTP redirects to HTTPS, HSTS and the app's own headers arrive, a whole journey
reaches results on both instances, links and cookies are made for https, the
request id is nginx's, a spoofed X-Forwarded-For does not escape the rate limit,
an oversized body is refused at the proxy, the proxy writes no access log, and
when one instance stops the visitors are served by the other.

Skipped without nginx (`bash scripts/ensure-nginx.sh` installs it), unless
REQUIRE_NGINX=1 (set in CI) says it must run.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.answers import CALLBACK, FULL
from tests.support.operator import OPERATOR_SETTINGS
from tests.support.scale_out import CSRF, FORM_KEY, TOO_MANY, instances
from tests.support.servers import end, free_port, log_tail
from wizard.storage.crypto import new_key

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deploy.md"
TIMEOUT = 30
HOSTNAME = "help.example.org"


def _nginx_program() -> str:
    program = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if program is None:
        message = "nginx not installed (bash scripts/ensure-nginx.sh); the reverse-proxy test is skipped"
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail(f"{message} (REQUIRE_NGINX=1: it must run here)", pytrace=False)
        pytest.skip(message)
    return program


def guide_block() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", GUIDE.read_text(), re.S)
    assert len(blocks) == 1, "docs/deploy.md should hold exactly one nginx configuration"
    return blocks[0]


def adapt(block: str, upstreams: list[int], http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The guide's block with only the machine-specific lines changed; each change must find its line."""
    changes = [
        (r"server 127\.0\.0\.1:8001 ", f"server 127.0.0.1:{upstreams[0]} "),
        (r"server 127\.0\.0\.1:8002 ", f"server 127.0.0.1:{upstreams[1]} "),
        (r"listen \[::\]:80;\n", ""),
        (r"listen \[::\]:443 ssl;\n", ""),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        (r"ssl_certificate +\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key +\S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, replacement in changes:
        block, count = re.subn(pattern, replacement, block)
        assert count == 1, f"the guide's nginx block no longer has {pattern!r}"
    return block


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTNAME)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(HOSTNAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class Nginx:
    def __init__(self, program: str, folder: Path, server_block: str):
        self.program = program
        self.folder = folder
        self.config = folder / "nginx.conf"
        temp = folder / "temp"
        temp.mkdir()
        # What a packaged nginx sets in /etc/nginx/nginx.conf, pointed at this folder. The access
        # log here is the http-wide default: the guide's `access_log off` must win over it.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"  access_log {folder / 'access.log'};\n"
            + "".join(
                f"  {kind}_temp_path {temp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + server_block
            + "}\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self, https_port: int, cert: Path) -> None:
        check = subprocess.run(
            [self.program, "-t", "-p", str(self.folder), "-c", str(self.config)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert check.returncode == 0, f"nginx refuses the guide's configuration:\n{check.stderr}"
        self.process = subprocess.Popen(
            [self.program, "-p", str(self.folder), "-c", str(self.config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        probe = requests.Session()
        probe.trust_env = False
        deadline = time.monotonic() + 20
        for _attempt in range(400):
            if self.process.poll() is not None:
                pytest.fail(f"nginx exited: {self.error_log()}")
            try:
                probe.get(f"https://127.0.0.1:{https_port}/healthz", verify=str(cert), timeout=2)
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        pytest.fail(f"nginx did not answer: {self.error_log()}")

    def error_log(self) -> str:
        return log_tail(self.folder / "error.log")

    def stop(self) -> None:
        end(self.process)


class Proxied:
    """What the test needs to reach the service through the proxy, and its parts."""

    def __init__(self, https_port: int, http_port: int, cert: Path, nginx: Nginx, pair: list):
        self.base = f"https://127.0.0.1:{https_port}"
        self.http_base = f"http://127.0.0.1:{http_port}"
        self.cert = cert
        self.nginx = nginx
        self.pair = pair

    def session(self) -> requests.Session:
        session = requests.Session()
        # Not from the environment: a CA bundle named there would win over `verify` (and no proxy here).
        session.trust_env = False
        session.verify = str(self.cert)
        return session


@pytest.fixture(scope="module")
def proxied(redis_url, tmp_path_factory) -> Iterator[Proxied]:
    program = _nginx_program()
    folder = tmp_path_factory.mktemp("proxy")
    env = {
        "WIZARD_ENV": "production",
        **OPERATOR_SETTINGS,
        "PUBLIC_HOST": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_KEYS": new_key(),
        # One SQLite file for both (WAL): this test is about the proxy, not the database.
        "DATABASE_URL": f"sqlite:///{folder / 'wizard.sqlite3'}",
        "RATELIMIT_STORAGE_URI": redis_url,
        "CALLBACK_RATE_LIMIT": "2 per hour",
        "TRUSTED_PROXIES": "1",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "4",
    }
    with instances(2, env, folder) as pair:
        cert, key = self_signed(folder)
        http_port, https_port = free_port(), free_port()
        block = adapt(guide_block(), [pair[0].port, pair[1].port], http_port, https_port, cert, key)
        nginx = Nginx(program, folder, block)
        try:
            nginx.start(https_port, cert)
            yield Proxied(https_port, http_port, cert, nginx, pair)
        finally:
            nginx.stop()


def _token(page: requests.Response, pattern: re.Pattern) -> str:
    match = pattern.search(page.text)
    assert match, f"no {pattern.pattern} on {page.url}"
    return match.group(1)


def test_plain_http_is_sent_to_https(proxied):
    response = requests.get(proxied.http_base + "/questions?lang=es", allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 301
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.path, location.query) == ("https", "/questions", "lang=es")


def test_headers_from_the_proxy_and_the_app_both_arrive(proxied):
    response = proxied.session().get(proxied.base + "/", headers={"Accept-Encoding": "br"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Encoding"] == "br"  # the app compresses; nginx passes it on
    # nginx's $request_id (32 hex digits) reaches the app, which echoes it and logs it.
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    deadline = time.monotonic() + 10
    while not any(request_id in instance.log() for instance in proxied.pair) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(request_id in instance.log() for instance in proxied.pair)
    # Static files keep their year-long cache through the proxy.
    css = re.search(r'href="(/static/wizard-[0-9a-f]{32}\.css)"', response.text)
    assert css, "no hashed stylesheet on the start page"
    asset = proxied.session().get(proxied.base + css.group(1), timeout=TIMEOUT)
    assert asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"]


def test_a_journey_through_the_proxy_reaches_results_on_both_instances(proxied):
    session = proxied.session()
    page = session.get(proxied.base + "/questions", timeout=TIMEOUT)
    cookie = next(c for c in session.cookies if c.name == "__Host-wizard")
    assert cookie.secure, "behind TLS the answers cookie must be Secure"
    for _step in range(30):
        path = urlsplit(page.url).path
        if not path.startswith("/questions/"):
            break
        question = path.rsplit("/", 1)[1]
        data = {"csrf_token": _token(page, CSRF), question: FULL[question]}
        # Over HTTPS the CSRF check wants the Referer a browser sends (Referrer-Policy: same-origin).
        page = session.post(page.url, data=data, headers={"Referer": page.url}, timeout=TIMEOUT)
        assert page.status_code == 200, (path, page.status_code)
    assert urlsplit(page.url).path == "/check-answers"
    results = session.get(proxied.base + "/results", timeout=TIMEOUT)
    assert results.status_code == 200 and "Your next steps" in results.text
    # The proxy sent requests to both instances (round robin).
    assert all('"route": "/questions/<question_id>"' in instance.log() for instance in proxied.pair)
    # Links the app makes for others use the scheme and host the visitor used.
    share = session.get(proxied.base + "/results/share", timeout=TIMEOUT)
    link = urlsplit(re.search(r'id="share-link" type="text" value="([^"]+)"', share.text).group(1))
    assert (link.scheme, link.hostname) == ("https", "127.0.0.1") and link.path.startswith("/shared/")


def test_a_forged_forwarded_for_does_not_escape_the_rate_limit(proxied):
    statuses = []
    for attempt in range(3):
        session = proxied.session()
        spoofed = {"X-Forwarded-For": f"198.51.100.{attempt + 1}"}
        page = session.get(proxied.base + "/reach-out", headers=spoofed, timeout=TIMEOUT)
        data = {**CALLBACK, "csrf_token": _token(page, CSRF), "form_key": _token(page, FORM_KEY)}
        sent = session.post(
            proxied.base + "/reach-out", data=data, headers={**spoofed, "Referer": page.url}, timeout=TIMEOUT
        )
        statuses.append(sent.status_code)
        if sent.status_code == 429:
            assert TOO_MANY in sent.text
    # "2 per hour" for the one real client, whatever address it claims to be forwarding for.
    assert statuses == [200, 200, 429], statuses


def test_the_proxy_refuses_oversized_bodies_and_keeps_no_access_log(proxied):
    response = proxied.session().post(proxied.base + "/reach-out", data={"message": "x" * 100_000}, timeout=TIMEOUT)
    assert response.status_code == 413
    access_log = proxied.nginx.folder / "access.log"
    assert not access_log.exists() or access_log.stat().st_size == 0


def test_when_one_instance_stops_the_other_serves_everyone(proxied):
    proxied.pair[1].stop()
    session = proxied.session()
    statuses = [session.get(proxied.base + "/", timeout=TIMEOUT).status_code for _ in range(10)]
    assert statuses == [200] * 10


def test_the_guides_flood_limits_answer_before_the_app_is_reached(proxied):
    """nginx's limit_req zones are a backstop: a burst of sign-in attempts far past the app's own
    limit is cut off by the proxy itself."""
    session = proxied.session()
    statuses, from_nginx = [], 0
    for _attempt in range(25):
        response = session.post(proxied.base + "/staff/sign-in", data={"username": "x"}, timeout=TIMEOUT)
        statuses.append(response.status_code)
        from_nginx += response.status_code == 429 and "<center>nginx" in response.text
    assert from_nginx >= 5, statuses
