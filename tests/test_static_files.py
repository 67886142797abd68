"""Static files and plotly.js: gzipped for browsers that accept it, cached for a year under
URLs that carry the content hash, revalidated without it; nothing outside static/ is served."""
from __future__ import annotations

import gzip
import re

import pytest

from conftest import login
from survey_app.web.views.main import PLOTLY_JS

from test_downloads import survey_id  # noqa: F401  (the shared fixture)

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _assets(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', page)


def test_a_results_page_sends_a_fraction_of_the_bytes(app, client, survey_id):
    login(client, "evaluator")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    urls = _assets(page)
    assert any(u.startswith("/vendor/plotly.min.js?v=") for u in urls)
    sent = plain = 0
    for url in urls:
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        body = response.get_data()
        if response.headers.get("Content-Encoding") == "gzip":
            assert "Accept-Encoding" in response.headers["Vary"]
            unpacked = gzip.decompress(body)
        else:
            unpacked = body
        assert unpacked == client.get(url).get_data()      # the same file, only packed
        sent += len(body)
        plain += len(unpacked)
    print(f"results page assets: {plain / 1e6:.2f} MB as files, {sent / 1e6:.2f} MB sent with gzip")
    assert plain > 4_000_000                                # plotly.js is on the page
    assert sent < 0.35 * plain


def test_versioned_urls_are_cached_for_good_and_others_revalidated(app, client):
    page = client.get("/s/staff-self-assessment").get_data(as_text=True)
    [style] = [u for u in _assets(page) if u.startswith("/static/style.css")]
    digest = style.partition("?v=")[2]
    assert re.fullmatch(r"[0-9a-f]{16}", digest)
    response = client.get(style, headers=GZIP)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    for stale in ("/static/style.css", "/static/style.css?v=0000000000000000"):
        response = client.get(stale)
        assert response.headers["Cache-Control"] == "no-cache" and "Content-Encoding" not in response.headers
        again = client.get(stale, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""


def test_a_browser_without_gzip_gets_the_file_as_it_is(app, client):
    for encoding in ("identity", "gzip;q=0", ""):
        response = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": encoding})
        assert "Content-Encoding" not in response.headers
        assert response.get_data() == PLOTLY_JS.read_bytes()


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    from survey_app.web.assets import asset

    path = tmp_path / "x.css"
    path.write_text("body { color: red }\n" * 100)
    first = asset(path).digest
    path.write_text("body { color: blue }\n" * 100)
    assert asset(path).digest != first


@pytest.mark.parametrize("path", ["/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                                  "/static/..%2fpyproject.toml", "/static/", "/static/nothing.js",
                                  "/static//etc/passwd"])
def test_nothing_outside_static_is_served(app, client, path):
    assert client.get(path, follow_redirects=True).status_code == 404
