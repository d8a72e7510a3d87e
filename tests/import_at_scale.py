"""Files for trying `manage.py import_file` at the size a newsroom's largest spreadsheet might reach.

    .venv/bin/python -m tests.import_at_scale DIR --events 200000

writes topics.csv (30), participants.csv (2,000), sources.csv (20,000) and events.csv into DIR, each naming only
rows of the files before it, as the admin's import order asks. The events are obviously synthetic, spread over
eighty years at day, month and year precision; each names two topics, one or two sources by slug or by an address
written another way than the source's own (http, "www.", a trailing slash, tracking parameters), and two or three
participants with their parts. Import them in that order:

    for model in topic participant source event; do
        /usr/bin/time -v .venv/bin/python manage.py import_file $model DIR/${model}s.csv --user NAME
    done
"""

import argparse
import csv
import random
from pathlib import Path

PARTS = ["host", "guest", "subject", "speaker", "signatory", "attendee"]
TYPES = ["meeting", "summit", "negotiation", "tariff_action", "election", "legislation", "agreement", "dispute"]


def write(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def source_address(n: int, rng: random.Random) -> str:
    """The address as another editor might have copied it: the same page, written one of several ways."""
    page = f"news.example.org/synthetic/{n}"
    return rng.choice(
        [
            f"https://{page}",
            f"http://www.{page}/",
            f"https://{page}?utm_source=newsletter",
            f"https://www.{page}#comments",
        ]
    )


def event_row(n: int, rng: random.Random, participants: int, sources: int, topics: int) -> list[str]:
    year = rng.randint(1945, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    date = rng.choice([f"{year}-{month:02d}-{day:02d}"] * 4 + [f"{year}-{month:02d}", str(year)])
    chosen = rng.sample(range(participants), rng.choice([2, 3]))
    people = ", ".join(f"synthetic-person-{p}:{rng.choice(PARTS)}" for p in chosen)
    cited = rng.sample(range(sources), rng.choice([1, 2]))
    named = ", ".join(f"synthetic-source-{s}" if rng.random() < 0.5 else source_address(s, rng) for s in cited)
    return [
        f"Synthetic event {n}",
        f"A synthetic event, number {n}, made to try an import at scale. It happened nowhere and involved nobody.",
        date,
        rng.choice(TYPES),
        str(rng.randint(1, 3)),
        ", ".join(f"synthetic-topic-{t}" for t in rng.sample(range(topics), 2)),
        named,
        people,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--participants", type=int, default=2_000)
    parser.add_argument("--sources", type=int, default=20_000)
    parser.add_argument("--topics", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    folder = options.folder
    folder.mkdir(parents=True, exist_ok=True)
    write(
        folder / "topics.csv",
        ["slug", "name"],
        ([f"synthetic-topic-{t}", f"Synthetic topic {t}"] for t in range(options.topics)),
    )
    write(
        folder / "participants.csv",
        ["slug", "name", "kind", "country"],
        (
            [f"synthetic-person-{p}", f"Synthetic Person {p}", "person", rng.choice(["CA", "US"])]
            for p in range(options.participants)
        ),
    )
    write(
        folder / "sources.csv",
        ["slug", "title", "publisher", "url", "published_on", "kind"],
        (
            [
                f"synthetic-source-{s}",
                f"Synthetic article {s}",
                "Synthetic News",
                f"https://news.example.org/synthetic/{s}",
                f"{rng.randint(1945, 2025)}-{rng.randint(1, 12):02d}",
                "news",
            ]
            for s in range(options.sources)
        ),
    )
    write(
        folder / "events.csv",
        ["title", "summary", "start_date", "event_type", "importance", "topics", "sources", "participants"],
        (
            event_row(n, rng, options.participants, options.sources, options.topics)
            for n in range(1, options.events + 1)
        ),
    )


if __name__ == "__main__":
    main()
