"""The production server: health check, 404s, oversized bodies refused before parsing."""

from __future__ import annotations

import httpx


def test_healthz_reports_the_database(app_url):
    response = httpx.get(app_url + "healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok"}


def test_unknown_path_is_404(app_url):
    assert httpx.get(app_url + "nope").status_code == 404


def test_oversized_body_is_refused_with_413(signed):
    response = signed.post("x=" + "a" * 1_100_000, "application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_garbage_bodies_with_valid_signature_get_a_4xx_not_a_500(signed):
    assert signed.post("this is not form or json", "application/x-www-form-urlencoded").status_code == 404
    assert signed.post("{bad json", "application/json").status_code == 400
    assert signed.post("payload=%7Bnot-json", "application/x-www-form-urlencoded").status_code == 400
