"""Every theme and action now belongs to a template's reference (0004); the
shared targets lose their migration notes, which are the IOM reference's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sdgmap", "0004_move_iom_reference")]

    operations = [
        migrations.AlterField(
            model_name="referencetheme",
            name="reference",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="themes", to="sdgmap.reference"),
        ),
        migrations.AlterField(
            model_name="referenceaction",
            name="reference",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="actions", to="sdgmap.reference"),
        ),
        migrations.RemoveField(model_name="referencetheme", name="key"),
        migrations.AlterModelOptions(name="referencetheme", options={"ordering": ["reference", "position", "id"]}),
        migrations.AlterModelOptions(name="referenceaction", options={"ordering": ["reference", "number"]}),
        migrations.AddConstraint(
            model_name="referenceaction",
            constraint=models.UniqueConstraint(fields=("reference", "number"), name="one_reference_action_per_number"),
        ),
        migrations.RemoveField(model_name="target", name="migration_note"),
        migrations.RemoveField(model_name="target", name="migration_note_en"),
        migrations.RemoveField(model_name="target", name="migration_note_fr"),
        migrations.RemoveField(model_name="target", name="migration_note_nl"),
    ]
