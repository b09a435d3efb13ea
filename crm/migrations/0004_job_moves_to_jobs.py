"""Job moves to the jobs app (jobs 0001): crm forgets the model, the table crm_job stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0003_company_protects_members"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Job")],
        ),
    ]
