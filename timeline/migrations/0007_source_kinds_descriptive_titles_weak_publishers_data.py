"""Existing sources moved to the new kinds, descriptive titles flagged, each source's site recorded, and the list
of weak publishers seeded with the sites whose pages the demo record retired in favour of reputable ones."""

import re

from django.db import migrations

from timeline.groups import create_groups
from timeline.models import domain_of

# Old kind -> new kind. A government page and a social-media post are the record itself; a wire copy was filed
# as news before there was a kind for it (editors re-file those).
KINDS = {"government": "primary", "social": "primary"}
KINDS_BACK = {"primary": "government", "wire": "news"}

# The marker editors wrote into a title that describes the page rather than quoting its headline.
MARKER = re.compile(r"\s*\[descriptive title[^\]]*\]\s*$", re.IGNORECASE)

# Sites whose pages the demo record replaced with a reputable page, or dropped beside one (mirrors, aggregators,
# partisan or fringe sites, and pages that were no source for the fact they were cited for).
WEAK = [
    ("anews.com.tr", "aNews (Anadolu)", "found"),
    ("azzet.com", "Azzet", "redundant"),
    ("badlandsmedia.tv", "Badlands Media", "found"),
    ("burlingtongazette.ca", "Burlington Gazette", "redundant"),
    ("businessleague.in", "Business League", "found"),
    ("canada-usblog.com", "Canada-US Blog", "found"),
    ("canadianaffairs.news", "Canadian Affairs", "redundant"),
    ("devdiscourse.com", "Devdiscourse", "redundant"),
    ("economymiddleeast.com", "Economy Middle East", "redundant"),
    ("econotimes.com", "EconoTimes", "found"),
    ("fortworthreports.org", "Fort Worth Report", "found"),
    ("ground.news", "Ground News", "redundant"),
    ("iheart.com", "iHeart", "found"),
    ("indiandefensenews.in", "Indian Defense News", "redundant"),
    ("indocanadiannews.com", "Indo-Canadian News", "found"),
    ("kiwix.casplantje.nl", "Wikipedia mirror (kiwix.casplantje.nl)", "redundant"),
    ("lifezette.com", "LifeZette", "found"),
    ("lowcostdomainnames.domain.workers.dev", "Wikipedia mirror (workers.dev)", "found"),
    ("mondaq.com", "Mondaq", "redundant"),
    ("mylotrade.com", "MyloTrade", "found"),
    ("nationalnewswatch.com", "National Newswatch", "found"),
    ("news.cmptv.ca", "CBC copy on news.cmptv.ca", "redundant"),
    ("news.online.ua", "news.online.ua", "found"),
    ("newser.com", "Newser", "redundant"),
    ("newsmax.com", "Newsmax", "found"),
    ("post-truth.eu", "post-truth.eu", "found"),
    ("rebelnews.com", "Rebel News", "found"),
    ("reddeeradvocate.com", "Red Deer Advocate", "found"),
    ("republicworld.com", "Republic World", "redundant"),
    ("stockwatch.com", "Stockwatch", "redundant"),
    ("sussex-strategy.com", "Sussex Strategy Group", "found"),
    ("thequint.com", "The Quint", "found"),
    ("tradeandinvestmentpromotion.com", "Trade and Investment Promotion", "redundant"),
    ("truepundit.com", "True Pundit", "found"),
    ("urbanmag.ca", "Urban Mag", "found"),
    ("urdupoint.com", "UrduPoint", "found"),
    ("uslive.com", "uslive.com", "found"),
    ("wiki.tsokiyzan.org", "Wikipedia mirror (wiki.tsokiyzan.org)", "found"),
    ("wionews.com", "WION", "redundant"),
    ("worldhistoryproject.org", "World History Project", "found"),
]
REASONS = {
    "found": "A reputable page says the same: cite it instead.",
    "redundant": "Cited beside a reputable page that already says the same: drop it.",
}


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Source = apps.get_model("timeline", "Source")
    for old, new in KINDS.items():
        Source.objects.using(db).filter(kind=old).update(kind=new)
    for source in Source.objects.using(db).all():
        title = MARKER.sub("", source.title)
        source.title_is_descriptive = title != source.title
        source.title = title
        source.domain = domain_of(source.url) if source.url else ""
        source.save(update_fields=["title", "title_is_descriptive", "domain"])
    WeakPublisher = apps.get_model("timeline", "WeakPublisher")
    for domain, name, status in WEAK:
        WeakPublisher.objects.using(db).get_or_create(domain=domain, defaults={"name": name, "reason": REASONS[status]})
    # Editors keep the list; the groups get the new model's permissions.
    create_groups(apps, using=db)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Source = apps.get_model("timeline", "Source")
    for new, old in KINDS_BACK.items():
        Source.objects.using(db).filter(kind=new).update(kind=old)
    for source in Source.objects.using(db).filter(title_is_descriptive=True):
        source.title = f"{source.title} [descriptive title]"
        source.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [("timeline", "0006_source_kinds_descriptive_titles_weak_publishers")]

    operations = [migrations.RunPython(forwards, backwards)]
