import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def authors_from_reviews(apps, schema_editor):
    GroupComment = apps.get_model("outputs", "GroupComment")
    for comment in GroupComment.objects.select_related("review").iterator():
        comment.author_id = comment.review.checker_id
        comment.round = comment.review.round
        comment.save(update_fields=["author", "round"])


class Migration(migrations.Migration):
    dependencies = [
        ("outputs", "0002_request_files_reviews_publications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="groupcomment",
            name="author",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="groupcomment",
            name="round",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(authors_from_reviews, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="groupcomment",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="groupcomment",
            name="review",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="outputs.review",
            ),
        ),
    ]
