"""Load the 17 SDGs, their targets and IOM's reference mapping, so that a new
database (a laptop's first `make run`, every test database) has them."""

from django.db import migrations


def load(apps, schema_editor):
    from sdgmap.loader import load_sdgs

    names = ("Goal", "Target", "ReferenceTheme", "AccelerationAction")
    load_sdgs({name: apps.get_model("sdgmap", name) for name in names})


class Migration(migrations.Migration):
    dependencies = [("sdgmap", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
