"""Campaign fields of segments and lines (SPEC 8): nullable, blank inherits."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interactions', '0005_campaigns'),
        ('segments', '0004_single_interaction_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='removedline',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='interactions.campaign', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='removedline',
            name='campaign_response',
            field=models.BooleanField(blank=True, null=True, verbose_name='campaign response'),
        ),
        migrations.AddField(
            model_name='removedline',
            name='campaign_target',
            field=models.BooleanField(blank=True, null=True, verbose_name='campaign target'),
        ),
        migrations.AddField(
            model_name='segment',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='segments', to='interactions.campaign', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='segment',
            name='campaign_response',
            field=models.BooleanField(blank=True, null=True, verbose_name='campaign response'),
        ),
        migrations.AddField(
            model_name='segment',
            name='campaign_target',
            field=models.BooleanField(blank=True, null=True, verbose_name='campaign target'),
        ),
        migrations.AddField(
            model_name='segmentline',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='interactions.campaign', verbose_name='campaign'),
        ),
        migrations.AddField(
            model_name='segmentline',
            name='campaign_response',
            field=models.BooleanField(blank=True, null=True, verbose_name='campaign response'),
        ),
        migrations.AddField(
            model_name='segmentline',
            name='campaign_target',
            field=models.BooleanField(blank=True, null=True, verbose_name='campaign target'),
        ),
    ]
