"""The addresses of pages named by a slug are those `reverse` gives, in each language (timeline/links.py)."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from timeline.links import slug_url

NAMES = ["event_detail", "statement_detail", "participant_detail", "topic_detail"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_same_address_as_reverse(name, language):
    with translation.override(language):
        for slug in ["g7-summit", "a_b-9", "0slug0", "x"]:
            assert slug_url(name, slug) == reverse(name, args=[slug])


def test_each_language_gets_its_own_address():
    with translation.override("fr"):
        french = slug_url("event_detail", "summit")
    with translation.override("en"):
        english = slug_url("event_detail", "summit")
    assert (english, french) == ("/events/summit/", "/fr/events/summit/")


def test_under_a_script_prefix():
    set_script_prefix("/timeline/")
    try:
        assert slug_url("topic_detail", "trade") == "/timeline/topics/trade/" == reverse("topic_detail", args=["trade"])
    finally:
        set_script_prefix("/")
    assert slug_url("topic_detail", "trade") == "/topics/trade/"


@pytest.mark.parametrize("slug", ["", "with space", "é-accent", "a/b"])
def test_what_the_pattern_refuses_is_refused_as_before(slug):
    with pytest.raises(NoReverseMatch):
        reverse("event_detail", args=[slug])
    with pytest.raises(NoReverseMatch):
        slug_url("event_detail", slug)
