"""L1: the one-page form's token is checked without a cookie. A missing, forged, expired or
foreign-origin token is a friendly "form out of date" page (400-free, never a 500), and the
answers are not used."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from wizard.public import one_page as onepage

ANSWERS = {"who": "myself", "danger": "no"}
OUT_OF_DATE = "This form is out of date. Please fill it in again."


def _token(app, *, age: float = 0) -> str:
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="one-page-form")
    if not age:
        return serializer.dumps("one-page")
    real = time.time
    try:
        time.time = lambda: real() - age  # itsdangerous stamps with time.time()
        return serializer.dumps("one-page")
    finally:
        time.time = real


@pytest.mark.parametrize(
    ("case", "token", "headers"),
    [
        ("missing", None, {}),
        ("forged", "b25lLXBhZ2U.forged.signature", {}),
        ("foreign origin", "good", {"Origin": "https://evil.example"}),
        ("opaque origin", "good", {"Origin": "null"}),
        ("expired", "old", {}),
    ],
)
@pytest.mark.parametrize("prefix", ["", "/embed/example"])
def test_a_bad_token_is_a_form_out_of_date_page(app, browser, case, token, headers, prefix):
    if prefix and "example" not in app.extensions["services"].partners:
        pytest.skip("no example partner configured")
    data = dict(ANSWERS)
    if token == "good":
        data["csrf_token"] = _token(app)
    elif token == "old":
        data["csrf_token"] = _token(app, age=onepage.TOKEN_MAX_AGE + 60)
    elif token:
        data["csrf_token"] = token
    page = browser.post(f"{prefix}/all-questions", data=data, headers=headers)
    assert page.status == 200, case
    assert OUT_OF_DATE in page.text()
    assert "Sorry, something went wrong" not in page.text()


def test_a_good_token_from_the_same_origin_gives_results(app, browser):
    form = browser.get("/all-questions")
    page = browser.post(
        "/all-questions",
        data={"csrf_token": form.csrf_token(), "who": "myself", "danger": "yes"},
        headers={"Origin": "http://localhost"},
    )
    assert page.status == 200
    assert OUT_OF_DATE not in page.text()
