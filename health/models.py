from django.db import models


class Heartbeat(models.Model):
    """The last time each Celery worker ran the scheduled heartbeat task from each queue.

    One row per worker and queue, overwritten on every beat, so the table never grows; rows of
    workers that have gone away are pruned by the task itself.
    """

    worker = models.CharField(max_length=255)
    queue = models.CharField(max_length=64, default="sweeps")
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "queue"], name="one_heartbeat_per_queue")
        ]

    def __str__(self):
        return f"{self.worker} ({self.queue}) at {self.beat_at:%Y-%m-%d %H:%M:%S}"
