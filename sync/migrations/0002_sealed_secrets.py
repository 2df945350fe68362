"""Seal the badge platforms' secrets and OAuth tokens at rest (see sync.sealed); reversing writes them back plain."""
import json

from django.db import migrations

import sync.sealed

SEALED = {"BackendSettings": ("secrets",), "OAuthToken": ("access_token", "refresh_token")}


def seal_stored(apps, schema_editor):
    """Save every stored value again: read as it was (plain), written sealed."""
    alias = schema_editor.connection.alias
    for name, fields in SEALED.items():
        model = apps.get_model("sync", name)
        for row in model.objects.using(alias).all():
            model.objects.using(alias).filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})


def unseal_stored(apps, schema_editor):
    """Write every value back as it reads (plain), past the sealing fields, for the columns the reversal restores."""
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    for name, fields in SEALED.items():
        model = apps.get_model("sync", name)
        assignments = ", ".join(f"{quote(f)} = %s" for f in fields)
        for row in model.objects.using(connection.alias).all():
            values = [json.dumps(v) if isinstance(v, dict) else v for v in (getattr(row, f) for f in fields)]
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
                               [*values, row.pk])


class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='backendsettings',
            name='secrets',
            field=sync.sealed.SealedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name='oauthtoken',
            name='access_token',
            field=sync.sealed.SealedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='oauthtoken',
            name='refresh_token',
            field=sync.sealed.SealedTextField(blank=True),
        ),
        migrations.RunPython(seal_stored, unseal_stored),
    ]
