"""Load the 17 SDGs and their targets, so that a new database (a laptop's
first `make run`, every test database) has them.

This once loaded IOM's reference mapping too, for the whole installation; it
now comes with the IOM pack, and 0004 gave existing databases' IOM template
the rows this loaded."""

from django.db import migrations


def load(apps, schema_editor):
    from sdgmap.loader import load_sdgs

    load_sdgs({name: apps.get_model("sdgmap", name) for name in ("Goal", "Target")})


class Migration(migrations.Migration):
    dependencies = [("sdgmap", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
