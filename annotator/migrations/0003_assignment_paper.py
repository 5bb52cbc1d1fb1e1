import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_papers(apps, schema_editor):
    Assignment = apps.get_model("annotator", "Assignment")
    Item = apps.get_model("annotator", "Item")
    Assignment.objects.update(
        paper_id=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("sentence__paper_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0002_roles_results_open_paper_decisions"),
        ("audit", "0002_claim_experiment_run_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="paper",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="audit.paper",
            ),
        ),
        migrations.RunPython(copy_papers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assignment",
            name="paper",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT, related_name="+", to="audit.paper"
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["project", "annotator", "paper"], name="annotator_paper"),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("label", ""), _negated=True),
                fields=["project"],
                name="project_labels",
            ),
        ),
    ]
