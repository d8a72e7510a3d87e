"""Django's JSON serializer, keeping datetimes to the microsecond.

Django's own cuts them to milliseconds (the ECMA-262 format), so a backup restored from it would not be
identical: history timestamps and updated_at would all move. Loading is unchanged (Django parses either).
Registered for the "json" format in settings.SERIALIZATION_MODULES, so dumpdata, loaddata and backups use it.
"""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import Deserializer, DjangoJSONEncoder

__all__ = ["Serializer", "Deserializer"]


class FullPrecisionJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            value = o.isoformat()
            return value.removesuffix("+00:00") + "Z" if value.endswith("+00:00") else value
        if isinstance(o, datetime.time) and o.tzinfo is None:
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        if self.json_kwargs["cls"] is DjangoJSONEncoder:
            self.json_kwargs["cls"] = FullPrecisionJSONEncoder
