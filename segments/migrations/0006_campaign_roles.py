"""Give both roles the campaign permissions of SPEC 8 (manage campaigns, see their
entries). Roles created before these permissions existed keep everything else."""

from django.db import migrations

NEW_PERMISSIONS = [
    ("interactions", "add_campaign"),
    ("interactions", "change_campaign"),
    ("interactions", "view_campaign"),
    ("interactions", "view_campaignentry"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.using(using).get(content_type__app_label=app, codename=codename)
        for app, codename in NEW_PERMISSIONS
    ]
    for group in Group.objects.using(using).filter(
        name__in=["Marketing staff", "Marketing manager"]
    ):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0005_campaign_fields"),
        ("interactions", "0005_campaigns"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
