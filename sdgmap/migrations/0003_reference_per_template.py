"""The reference mapping moves from the installation to each workshop
template: a Reference per template, which the themes and actions (renamed
from AccelerationAction) now belong to, and per-target notes. The links are
nullable here so that 0004 can attach the existing rows; 0005 requires them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sdgmap", "0002_load_sdgs"),
        ("workshop", "0002_step_question"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("author", models.CharField(help_text="Who made the reference, as the projector and phones name it.", max_length=80, verbose_name="made by")),
                ("author_en", models.CharField(help_text="Who made the reference, as the projector and phones name it.", max_length=80, null=True, verbose_name="made by")),
                ("author_fr", models.CharField(help_text="Who made the reference, as the projector and phones name it.", max_length=80, null=True, verbose_name="made by")),
                ("author_nl", models.CharField(help_text="Who made the reference, as the projector and phones name it.", max_length=80, null=True, verbose_name="made by")),
                ("actions_title", models.CharField(blank=True, help_text="The heading of the list of actions, if the reference has any.", max_length=200, verbose_name="title of the actions")),
                ("actions_title_en", models.CharField(blank=True, help_text="The heading of the list of actions, if the reference has any.", max_length=200, null=True, verbose_name="title of the actions")),
                ("actions_title_fr", models.CharField(blank=True, help_text="The heading of the list of actions, if the reference has any.", max_length=200, null=True, verbose_name="title of the actions")),
                ("actions_title_nl", models.CharField(blank=True, help_text="The heading of the list of actions, if the reference has any.", max_length=200, null=True, verbose_name="title of the actions")),
                ("template", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="sdg_reference", to="workshop.workshoptemplate", verbose_name="workshop template")),
            ],
            options={
                "verbose_name": "SDG reference",
                "verbose_name_plural": "SDG references",
            },
        ),
        migrations.RenameModel("AccelerationAction", "ReferenceAction"),
        migrations.AddField(
            model_name="referenceaction",
            name="reference",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="actions", to="sdgmap.reference"),
        ),
        migrations.AlterField(
            model_name="referenceaction",
            name="number",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AlterField(
            model_name="referenceaction",
            name="goals",
            field=models.ManyToManyField(related_name="reference_actions", to="sdgmap.goal"),
        ),
        migrations.AddField(
            model_name="referencetheme",
            name="reference",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="themes", to="sdgmap.reference"),
        ),
        migrations.AlterField(
            model_name="referencetheme",
            name="key",
            field=models.SlugField(),
        ),
        migrations.CreateModel(
            name="ReferenceNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField()),
                ("text_en", models.TextField(null=True)),
                ("text_fr", models.TextField(null=True)),
                ("text_nl", models.TextField(null=True)),
                ("reference", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notes", to="sdgmap.reference")),
                ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="sdgmap.target")),
            ],
            options={
                "ordering": ["reference", "target__goal__number", "target__position", "id"],
                "constraints": [models.UniqueConstraint(fields=("reference", "target"), name="one_reference_note_per_target")],
            },
        ),
    ]
