"""HEAD answers wherever GET does, on every public address: the same status and headers, Content-Length included,
and no body. A route added to the site is walked here as soon as the draft walk (test_drafts_never_leak) has it."""

import pytest

from tests.test_drafts_never_leak import SURFACES, newsroom  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

SAME_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Location", "Content-Disposition")


@pytest.mark.parametrize("url", sorted({url for _, url in SURFACES}))
def test_head_is_the_get_without_its_body(client, newsroom, url):  # noqa: F811
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code != 405, url
    assert head.content == b""
    for header in SAME_HEADERS:
        assert head.get(header) == get.get(header), (url, header)
    if not get.streaming and get.status_code == 200:
        assert head["Content-Length"] == str(len(get.content)), url


def test_head_in_french(client, newsroom):  # noqa: F811
    for url in ["/fr/", "/fr/events/shared-summit/", "/fr/preview.png", "/fr/feeds/events/"]:
        response = client.head(url)
        assert response.status_code == 200 and response.content == b"", url


def test_a_method_the_site_does_not_answer_is_still_refused(client, newsroom):  # noqa: F811
    assert client.post("/").status_code in (403, 405)  # CSRF refuses it first, else the view
    assert client.put("/api/events").status_code == 405
