"""The record the quote journeys read, in both browsers: the 51st-state remarks at two events, a quote of more
weight at one of them (the one its card shows until a search finds the other), and a draft."""

import datetime

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)

D = datetime.date
SOURCE_URL = "https://news.example.org/king-charles-speech"


def record():
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    RoleFactory(participant=trump, title="President of the United States", start=D(2025, 1, 20))
    king = ParticipantFactory(slug="charles-iii", name="Charles III", country="GB")
    sovereignty = TopicFactory(slug="sovereignty", name="Sovereignty")
    throne = EventFactory(
        slug="speech-from-the-throne",
        title="King delivers the Speech from the Throne",
        summary="The King opens Parliament in Ottawa.",
        start_date=D(2025, 5, 27),
        topics=[sovereignty],
    )
    InvolvementFactory(event=throne, participant=king)
    source = SourceFactory(title="King lends support to Canada", publisher="Semafor", url=SOURCE_URL)
    StatementFactory(
        slug="trump-cherished-51st-state",
        event=throne,
        speaker=trump,
        speaker_label="U.S. President Donald Trump",
        text="if they become our cherished 51st State.",
        said_on=D(2025, 5, 27),
        importance=2,
        sources=[source],
    )
    StatementFactory(
        slug="king-true-north",
        event=throne,
        speaker=king,
        text="The True North is indeed strong and free.",
        said_on=D(2025, 5, 27),
        importance=3,
        sources=[source],
    )
    post = EventFactory(
        slug="trump-post-51st-state",
        title="Trump repeats the idea of Canada as a state",
        summary="A post on social media.",
        start_date=D(2025, 1, 6),
        topics=[sovereignty],
    )
    InvolvementFactory(event=post, participant=trump)
    StatementFactory(
        slug="trump-love-being-51st-state",
        event=post,
        speaker=trump,
        text="Many people in Canada LOVE being the 51st State.",
        said_on=D(2025, 1, 6),
        sources=[SourceFactory(title="Trump and Trudeau feud", publisher="The New Republic")],
    )
    for n in range(6):
        EventFactory(title=f"Trade talks, round {n}", start_date=D(2024, n + 1, 3))
    draft = DraftEventFactory(slug="draft-event", title="Unpublished draft")
    StatementFactory(slug="draft-statement", event=draft, speaker=trump, text="A secret 51st State draft line.")
