from django.db import models


class Heartbeat(models.Model):
    """The last time each Celery worker ran the scheduled heartbeat task.

    One row per worker, overwritten on every beat, so the table never grows; rows of workers
    that have gone away are pruned by the task itself.
    """

    worker = models.CharField(max_length=255, unique=True)
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
