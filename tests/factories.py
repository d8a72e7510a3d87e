import datetime

import factory
from factory.django import DjangoModelFactory

from timeline.models import Event, Involvement, Participant, Role, Source, Statement, Topic


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Participant {n}")
    slug = factory.Sequence(lambda n: f"participant-{n}")
    kind = Participant.Kind.PERSON
    country = "CA"


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    participant = factory.SubFactory(ParticipantFactory)
    title = factory.Sequence(lambda n: f"Minister {n}")
    start = datetime.date(2025, 3, 14)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "The Canadian Press"
    url = factory.Sequence(lambda n: f"https://news.example.org/report-{n}")
    published_on = datetime.date(2025, 5, 6)


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    summary = "Leaders met to talk about trade."
    start_date = datetime.date(2025, 5, 6)
    event_type = Event.Type.MEETING
    status = Event.Status.PUBLISHED

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.sources.set(extracted)


class DraftEventFactory(EventFactory):
    status = Event.Status.DRAFT


class InvolvementFactory(DjangoModelFactory):
    class Meta:
        model = Involvement

    event = factory.SubFactory(EventFactory)
    participant = factory.SubFactory(ParticipantFactory)
    part = Involvement.Part.ATTENDEE


class StatementFactory(DjangoModelFactory):
    class Meta:
        model = Statement
        skip_postgeneration_save = True

    speaker = factory.SubFactory(ParticipantFactory)
    event = factory.SubFactory(EventFactory)
    text = factory.Sequence(lambda n: f"We said something memorable, number {n}.")
    said_on = datetime.date(2025, 5, 6)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.sources.set(extracted)
