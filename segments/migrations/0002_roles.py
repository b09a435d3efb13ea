"""Create the two roles of SPEC section 1 with their permissions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from segments.roles import ensure_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps, using=schema_editor.connection.alias)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Marketing staff", "Marketing manager"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0001_initial"),
        ("interactions", "0001_initial"),
        ("segments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
