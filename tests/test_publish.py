"""The hosted site: `make publish` output served by Debian's nginx with the repository's configuration."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from browser import Watch
from conftest import REPO, problem_lines

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MAIN_CONF = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
include /etc/nginx/modules-enabled/*.conf;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`make publish` into a temporary folder, served by nginx on a free loopback port."""
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required under CI (apt-get install nginx libnginx-mod-http-brotli-static)")
        pytest.skip("nginx is not installed")
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = tmp / "output"
    result = subprocess.run(
        [sys.executable, "-m", "tools.build", "build", "--settings", "publishconf.py", "--output", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "SITEURL": base},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == []
    site = (REPO / "deploy/nginx/site.conf").read_text()
    site = re.sub(r"listen \d+;", f"listen 127.0.0.1:{port};", site)
    site = re.sub(r"root [^;]+;", f"root {out};", site)
    (tmp / "site.conf").write_text(site)
    shutil.copytree(REPO / "deploy/nginx/snippets", tmp / "snippets")
    # Debian's module snippets name modules relative to the prefix.
    (tmp / "modules").symlink_to("/usr/lib/nginx/modules")
    # As root, workers would drop to an account that cannot read pytest's private temp folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp, user=user))
    check = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield base, out
    server.terminate()
    server.wait(timeout=10)


def get(url: str, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_pages_status_and_precompressed_encodings(published: tuple[str, Path]) -> None:
    base, out = published
    original = (out / "point-21.html").read_bytes()
    status, headers, body = get(f"{base}/point-21.html", "br")
    assert status == 200 and headers["content-encoding"] == "br"
    assert brotli.decompress(body) == original
    status, headers, body = get(f"{base}/point-21.html", "gzip")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == original
    status, headers, body = get(f"{base}/point-21.html")
    assert status == 200 and "content-encoding" not in headers and body == original
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert get(f"{base}/")[0] == 200
    assert get(f"{base}/sources/index.html")[0] == 200
    assert get(f"{base}/no-such-page.html")[0] == 404


def test_every_text_file_has_gzip_and_brotli_beside_it(published: tuple[str, Path]) -> None:
    _, out = published
    texts = [p for p in out.rglob("*") if p.suffix in (".html", ".css", ".js", ".xml")]
    assert len(texts) > 40
    for path in texts:
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes()
        assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == path.read_bytes()


def test_assets_are_hashed_and_cached_for_a_year(published: tuple[str, Path]) -> None:
    base, out = published
    css = sorted((out / "theme/css").glob("site.*.css"))
    js = sorted((out / "theme/js").glob("notes.*.js"))
    assert len(css) == 1 and len(js) == 1 and not (out / "theme/css/site.css").exists()
    page = (out / "point-21.html").read_text()
    assert f'/theme/css/{css[0].name}"' in page and f'/theme/js/{js[0].name}"' in page
    status, headers, _ = get(f"{base}/theme/css/{css[0].name}", "gzip")
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("text/css")
    assert headers["content-security-policy"] == CSP
    _, headers, _ = get(f"{base}/index.html")
    assert headers["cache-control"] == "no-cache"


def test_security_headers(published: tuple[str, Path]) -> None:
    base, _ = published
    for path in ("/index.html", "/point-1.html", "/no-such-page.html"):
        _, headers, _ = get(base + path)
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "server" not in headers or "nginx/" not in headers["server"]


def test_feed_and_sitemap_use_absolute_urls(published: tuple[str, Path]) -> None:
    base, _ = published
    status, headers, body = get(f"{base}/feeds/clauses.atom")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    assert body.count(b"<entry>") == 28 and f"{base}/point-21.html".encode() in body
    status, _, body = get(f"{base}/sitemap.xml")
    assert status == 200 and body.count(b"<loc>http") >= 28 + 6


def test_every_page_loads_without_a_csp_violation(browser: object, published: tuple[str, Path]) -> None:
    base, out = published
    context = browser.new_context()
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    watch = Watch(page)
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert len(pages) >= 38
    for rel in pages:
        response = page.goto(f"{base}/{rel}")
        assert response.status == 200
        assert page.evaluate("() => window.__csp") == [], rel
    page.goto(f"{base}/point-21.html")
    page.locator("a.noteref").first.click()
    assert page.evaluate("() => !!document.querySelector('#note-pop:popover-open')")
    page.goto(f"{base}/search.html?q=buffer")
    page.wait_for_selector("#search-results a", timeout=5000)
    assert page.evaluate("() => window.__csp") == []
    assert watch.errors == [] and watch.foreign == []
    context.close()
