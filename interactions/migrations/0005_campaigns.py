"""Campaigns (SPEC 8): Campaign, CampaignEntry and the campaign fields of templates,
drafts and interaction log entries; the ledger triggers freeze the new entry columns."""

import django.db.models.deletion
import django.utils.timezone
import importlib

from django.conf import settings
from django.db import migrations, models

# The trigger builder of 0004 (a module name that starts with a digit cannot be imported
# with an import statement).
triggers = importlib.import_module("interactions.migrations.0004_ledger_triggers")

#: The entries' campaign columns are written when an entry is logged, never changed.
ENTRY_FIXED = [
    *triggers.ENTRY_FIXED,
    "campaign_id",
    "campaign_entry_id",
    "campaign_target",
    "campaign_response",
]
OLD = {
    "sqlite": triggers.SQLITE,
    "postgresql": triggers.POSTGRESQL,
}
NEW = {
    "sqlite": triggers.sqlite_statements(ENTRY_FIXED, triggers.LOGGED_FIXED),
    "postgresql": triggers.postgresql_statements(ENTRY_FIXED, triggers.LOGGED_FIXED),
}
DROP = {"sqlite": triggers.SQLITE_DROP, "postgresql": triggers.POSTGRESQL_DROP}


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_job_moves_to_jobs'),
        ('interactions', '0004_ledger_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # On SQLite, adding a NOT NULL column rebuilds the ledger table, which drops its
    # triggers: they are dropped first and recreated at the end with the new columns
    # frozen (on PostgreSQL too, so both freeze the same columns).
    operations = [
        migrations.RunPython(triggers._run(DROP), triggers._run(OLD)),
        migrations.AddField(
            model_name='interactionlogentry',
            name='campaign_response',
            field=models.BooleanField(default=False, verbose_name='campaign response'),
        ),
        migrations.AddField(
            model_name='interactionlogentry',
            name='campaign_target',
            field=models.BooleanField(default=False, verbose_name='campaign target'),
        ),
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('no', models.CharField(blank=True, max_length=20, unique=True, verbose_name='no.')),
                ('description', models.CharField(blank=True, max_length=100, verbose_name='description')),
                ('starting_date', models.DateField(blank=True, null=True, verbose_name='starting date')),
                ('ending_date', models.DateField(blank=True, null=True, verbose_name='ending date')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('active', 'Active'), ('completed', 'Completed')], default='planned', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('salesperson', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='crm.salesperson', verbose_name='salesperson')),
            ],
            options={
                'verbose_name': 'campaign',
                'verbose_name_plural': 'campaigns',
                'ordering': ['-no'],
            },
        ),
        migrations.AddField(
            model_name='interactiondraft',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='interactions.campaign', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='interactionlogentry',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='interaction_entries', to='interactions.campaign', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='interactiontemplate',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='templates', to='interactions.campaign', verbose_name='campaign'),
        ),
        migrations.CreateModel(
            name='CampaignEntry',
            fields=[
                ('entry_no', models.BigAutoField(primary_key=True, serialize=False, verbose_name='entry no.')),
                ('segment_no', models.CharField(blank=True, max_length=20, verbose_name='segment no.')),
                ('description', models.CharField(blank=True, max_length=100, verbose_name='description')),
                ('date', models.DateField(verbose_name='date')),
                ('canceled', models.BooleanField(default=False, verbose_name='canceled')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='interactions.campaign', verbose_name='campaign')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('logged_segment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='campaign_entries', to='interactions.loggedsegment', verbose_name='logged segment')),
            ],
            options={
                'verbose_name': 'campaign entry',
                'verbose_name_plural': 'campaign entries',
                'ordering': ['-entry_no'],
            },
        ),
        migrations.AddField(
            model_name='interactionlogentry',
            name='campaign_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='interaction_entries', to='interactions.campaignentry', verbose_name='campaign entry'),
        ),
        migrations.AddIndex(
            model_name='interactionlogentry',
            index=models.Index(fields=['campaign', 'date'], name='ile_campaign_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['planned', 'active', 'completed'])), name='interactions_campaign_status_valid', violation_error_message='Status must be planned, active or completed.'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('starting_date__isnull', True), ('ending_date__isnull', True), ('ending_date__gte', models.F('starting_date')), _connector='OR'), name='interactions_campaign_dates_in_order', violation_error_message='The ending date cannot be before the starting date.'),
        ),
        migrations.AddIndex(
            model_name='campaignentry',
            index=models.Index(fields=['campaign', 'date'], name='campaignentry_campaign_idx'),
        ),
        migrations.RunPython(triggers._run(NEW), triggers._run(DROP)),
    ]
