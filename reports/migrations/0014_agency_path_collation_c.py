"""The agencies' paths compared byte by byte on PostgreSQL, whatever the database's
locale: tree order (``ORDER BY path``) is then each subtree in one run, and a subtree
is a range of the path index (``agency.path_within``). Under a locale such as
en_US.UTF-8 the "/" of a path is ignored at first, so neither holds. SQLite compares
bytes already, and has no collation of that name; Django's model field does not carry
the collation, which would make the same migration fail there."""

from django.db import migrations

FORWARD = 'ALTER TABLE reports_agency ALTER COLUMN path TYPE varchar(1000) COLLATE "C"'
BACKWARD = "ALTER TABLE reports_agency ALTER COLUMN path TYPE varchar(1000) COLLATE pg_catalog.\"default\""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("reports", "0013_public_list_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
