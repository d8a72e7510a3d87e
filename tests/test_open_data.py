"""The README's open-data examples, against the demo dataset. (That no open-data surface shows a draft is
tests/test_drafts_never_leak.py's business, with every other public surface.)"""

import re

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.mark.django_db
def test_every_example_url_in_the_readme_works_on_the_demo_data(client):
    """The README's open-data examples are written against the demo dataset: each must answer 200 with data."""
    call_command("loaddata", "demo", verbosity=0)
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("## Open data", 1)[1].split("\n## ", 1)[0]
    urls = re.findall(r"`(/[^`\s<]*)`", section)

    assert len(urls) >= 15
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".png"):
            assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG"), url
            continue
        body = response.content.decode()
        if url.startswith(("/api/events?", "/api/statements", "/api/participants", "/api/sources", "/api/topics")):
            assert url.endswith("mark-carney") or response.json()["count"] > 0, url
        elif url.startswith("/feeds/") and "corrections" not in url:
            assert "<entry>" in body, url
        elif ".csv" in url:
            assert len(body.splitlines()) > 1, url
        elif ".ics" in url:
            assert "BEGIN:VEVENT" in body, url
        elif "timeline.json" in url:
            assert response.json()["events"], url
        elif url.startswith("/embed/build/"):
            assert "<iframe" in body and "data-timeline-embed" in body, url
        elif url.startswith("/embed/"):
            assert 'class="embed-event"' in body and "No events match" not in body, url
