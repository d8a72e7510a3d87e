"""Data migrations run against data as it was: sources filed under the old kinds and with the old title marker."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("timeline", "0006_source_kinds_descriptive_titles_weak_publishers")
AFTER = ("timeline", "0007_source_kinds_descriptive_titles_weak_publishers_data")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def latest():
    executor = MigrationExecutor(connection)
    [leaf] = executor.loader.graph.leaf_nodes("timeline")
    return leaf


@pytest.mark.django_db(transaction=True)
def test_sources_move_to_the_new_kinds_and_descriptive_titles_are_flagged():
    apps = migrate(BEFORE)
    Source = apps.get_model("timeline", "Source")
    rows = {
        "release": ("government", "Statement by the Deputy Prime Minister", "https://www.pm.gc.ca/en/x"),
        "post": ("social", "A post", "https://x.example/post"),
        "story": (
            "news",
            "Ottawa responds [descriptive title: the page's headline was not available]",
            "https://www.Rebelnews.com/story",
        ),
        "tape": ("transcript", "Press conference (transcript)", "https://rev.example/t"),
        "blog": ("other", "Trump steel tariffs (tag archive) [descriptive title]", ""),
    }
    for slug, (kind, title, url) in rows.items():
        Source.objects.create(slug=slug, kind=kind, title=title, url=url)
    apps = migrate(AFTER)
    Source = apps.get_model("timeline", "Source")
    after = {s.slug: (s.kind, s.title, s.title_is_descriptive, s.domain) for s in Source.objects.filter(slug__in=rows)}
    assert after == {
        "release": ("primary", "Statement by the Deputy Prime Minister", False, "pm.gc.ca"),
        "post": ("primary", "A post", False, "x.example"),
        "story": ("news", "Ottawa responds", True, "rebelnews.com"),
        "tape": ("transcript", "Press conference (transcript)", False, "rev.example"),
        "blog": ("other", "Trump steel tariffs (tag archive)", True, ""),
    }
    # The list of weak publishers holds the sites the demo record retired, and the editors may keep it.
    WeakPublisher = apps.get_model("timeline", "WeakPublisher")
    domains = set(WeakPublisher.objects.values_list("domain", flat=True))
    assert {"rebelnews.com", "truepundit.com", "lowcostdomainnames.domain.workers.dev", "devdiscourse.com"} <= domains
    assert len(domains) == 40 and "theturtleislandnews.com" not in domains
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.get(name="Editors").permissions.filter(codename__endswith="_weakpublisher")
    assert sorted(editors.values_list("codename", flat=True)) == [
        "add_weakpublisher",
        "change_weakpublisher",
        "delete_weakpublisher",
        "view_weakpublisher",
    ]

    # And back: the old kinds and the marker return.
    apps = migrate(BEFORE)
    Source = apps.get_model("timeline", "Source")
    back = dict(Source.objects.filter(slug__in=["release", "story"]).values_list("slug", "kind"))
    assert back == {"release": "government", "story": "news"}
    assert Source.objects.get(slug="story").title == "Ottawa responds [descriptive title]"
    migrate(latest())  # and forward again, to every later migration, for the tests that follow
