"""I1: nothing typed into an address is reflected into a page (the language links keep only
`change=1`), and I2: the policy names object-src 'none' explicitly."""

from __future__ import annotations


def test_the_language_links_drop_every_query_argument_but_change(client):
    page = client.get("/questions/who?next=%22%3E%3Cmarker%3E&change=1&lang=es&x=marker").get_data(as_text=True)
    assert "marker" not in page and "next=" not in page
    assert "change=1" in page


def test_an_unknown_value_of_change_is_not_kept(client):
    page = client.get("/questions/who?change=marker").get_data(as_text=True)
    assert "marker" not in page


def test_the_content_security_policy_forbids_plugins_explicitly(client):
    for path in ("/", "/embed/example/"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "object-src 'none'" in policy.split("; ")
