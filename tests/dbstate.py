"""The whole database as plain data, to prove that an operation changed nothing, or that a restore is exact."""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

KEYED_BY_NATURAL_KEY = {ContentType: lambda ct: (ct.app_label, ct.model), Permission: lambda p: p.codename}


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table a backup covers, with content types and permissions named rather than numbered."""
    names = {model: {obj.pk: key(obj) for obj in model.objects.all()} for model, key in KEYED_BY_NATURAL_KEY.items()}
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model in KEYED_BY_NATURAL_KEY or model._meta.app_label in {"sessions", "axes"}:
            continue
        rows = []
        for row in model._default_manager.order_by("pk").values():
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in names and row[field.attname] is not None:
                    row[field.attname] = names[field.related_model][row[field.attname]]
            if model._meta.auto_created:
                del row["id"]  # an automatic many-to-many row's id is not data; the pair it holds is
            rows.append(row)
        tables[model._meta.label] = sorted(rows, key=repr) if model._meta.auto_created else rows
    return tables
