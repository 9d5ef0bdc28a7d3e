from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0011: PostgreSQL builds no index on a table whose rows the same
    # transaction has just updated (pending trigger events).

    dependencies = [
        ("reports", "0011_finding_triage_stored"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="storedfinding",
            index=models.Index(
                fields=["triage", "rank", "report", "id"], name="stored_finding_list"
            ),
        ),
        migrations.AddIndex(
            model_name="storedfinding",
            index=models.Index(fields=["rank", "report", "id"], name="stored_finding_list_all"),
        ),
    ]
