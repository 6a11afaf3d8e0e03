"""Dense, unique step positions per template (1..n), then a constraint that
keeps them unique.

Existing templates are renumbered in the order they showed in: position,
then creation (id), which is how two steps with the same number were
silently ordered before.
"""

from django.db import migrations, models


def renumber_steps(apps, schema_editor):
    Step = apps.get_model("workshop", "Step")
    template_ids = Step.objects.values_list("template_id", flat=True).distinct()
    for template_id in template_ids:
        steps = list(Step.objects.filter(template_id=template_id).order_by("position", "id"))
        for number, step in enumerate(steps, start=1):
            step.position = number
        # No constraint yet: the rows may pass through equal positions.
        Step.objects.bulk_update(steps, ["position"])


class Migration(migrations.Migration):
    # The renumbering commits before the constraint is added: PostgreSQL
    # will not alter a table whose updates still have deferred foreign-key
    # checks pending in the same transaction. Renumbering twice is harmless.
    atomic = False

    dependencies = [
        ("workshop", "0002_step_question"),
    ]

    operations = [
        migrations.RunPython(renumber_steps, migrations.RunPython.noop, atomic=True),
        migrations.AddConstraint(
            model_name="step",
            constraint=models.UniqueConstraint(
                fields=("template", "position"), name="step_position_unique_in_template"
            ),
        ),
    ]
