from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


CHANGE_REFUSED = "Audit events are append-only: they cannot be changed."
DELETE_REFUSED = "Audit events are append-only: they cannot be deleted."


class AuditEventQuerySet(models.QuerySet):
    """Refuses every bulk path that would change or remove rows; inserting stays allowed."""

    def update(self, **kwargs):
        raise AppendOnlyError(CHANGE_REFUSED)

    def _update(self, values):
        raise AppendOnlyError(CHANGE_REFUSED)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(CHANGE_REFUSED)

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        # An upsert would overwrite an existing event.
        if update_conflicts:
            raise AppendOnlyError(CHANGE_REFUSED)
        return super().bulk_create(objs, *args, **kwargs)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(CHANGE_REFUSED)

    def delete(self):
        raise AppendOnlyError(DELETE_REFUSED)

    def _raw_delete(self, using):
        raise AppendOnlyError(DELETE_REFUSED)


class AuditEvent(models.Model):
    """One thing that happened, recorded in the same transaction as the change itself.

    Append-only: the model refuses updates and deletes everywhere, and on PostgreSQL a trigger
    (migration 0002) makes the database refuse them too.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        help_text="Who did it; empty for the system (a scheduled task, a migration).",
    )
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=50, blank=True)
    to_state = models.CharField(max_length=50, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    sealed = models.JSONField(
        null=True,
        blank=True,
        help_text="Personal values, each encrypted under the key of the person they are about "
        "(personal.py); unreadable once that key is destroyed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The list pages newest first by time then event, all events or one action's; the
            # first also serves a range of dates.
            models.Index(fields=["created_at", "id"], name="audit_event_time"),
            models.Index(fields=["action", "created_at", "id"], name="audit_event_action_time"),
            # The latest event of one type of object (``audit_latest_id``), read from the end of
            # that type's entries; it also lists the types recorded (``object_types_present``).
            models.Index(fields=["object_type", "id"], name="audit_event_type_latest"),
        ]
        # Django's internal paths (saving, deleting related rows) use the base manager; make it
        # the refusing one so none of them can bypass the rules above.
        base_manager_name = "objects"

    def __str__(self):
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save_base(
        self,
        raw=False,
        force_insert=False,
        force_update=False,
        using=None,
        update_fields=None,
    ):
        # Always INSERT, so an explicit primary key can never overwrite an existing row. (loaddata
        # calls Model.save_base itself, past this override; the queryset's _update refuses there.)
        if force_update or update_fields is not None:
            raise AppendOnlyError(CHANGE_REFUSED)
        if self.pk is not None:
            exists = type(self)._base_manager.using(using).filter(pk=self.pk).exists()
            if not self._state.adding or exists:
                raise AppendOnlyError(CHANGE_REFUSED)
        super().save_base(raw=raw, force_insert=True, using=using)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(DELETE_REFUSED)

    @property
    def has_state_change(self):
        return bool(self.from_state or self.to_state)

    @property
    def words(self):
        """What happened, in words (``describe.py``); ``action`` keeps the code."""
        from .describe import action_describe

        return action_describe(self.action)

    @property
    def object_type_words(self):
        from .describe import object_type_describe

        return object_type_describe(self.object_type)

    @property
    def object_url(self):
        from .describe import object_url

        return object_url(self.object_type, self.object_id)


class PersonKey(models.Model):
    """One person's key for the personal values in audit events (``personal.py``).

    Destroying it (``key`` emptied, ``destroyed_at`` set) erases those values from every event
    at once, without changing an event. ``person_id`` is the user's id, kept without a foreign
    key so that the key outlives whatever becomes of the account.
    """

    person_id = models.PositiveBigIntegerField(unique=True)
    key = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        state = "destroyed" if self.key is None else "held"
        return f"Audit key of person {self.person_id} ({state})"


class PersonEvent(models.Model):
    """An event about something a person's own pages show: their application, their projects,
    their requests (``hooks.people_concerned_register``). Written with the event, in its
    transaction; the latest of a person's, read from the index, is what their pages once worked
    out are kept under. Only ever inserted: an insert waits for no other transaction, where
    keeping one row a person would lock it until the event's transaction ends, and two
    transactions that lock a proposal and a person in turn could each wait for the other.
    ``person_id`` is the user's id, kept without a foreign key as ``PersonKey`` keeps it."""

    person_id = models.BigIntegerField()
    event_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["person_id", "event_id"], name="audit_person_latest")]

    def __str__(self):
        return f"person {self.person_id}: event {self.event_id}"
