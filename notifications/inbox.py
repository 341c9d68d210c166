"""A person's notification list: what it shows, and marking entries read.

Only ever the signed-in person's own notifications: every function takes the user and filters
by recipient, so another person's notification is simply not found.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Notification


def notifications_for(*, user, waiting=False):
    """``user``'s notifications, newest first: one query per page of the list. ``waiting``:
    only those asking for something not done yet."""
    notifications = Notification.objects.filter(recipient=user)
    if waiting:
        notifications = notifications.filter(needs_action=True, done_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def waiting_count(*, user):
    """How many of ``user``'s notifications ask for something not done yet: one query."""
    return Notification.objects.filter(
        recipient=user, needs_action=True, done_at__isnull=True
    ).count()


def unread_count(*, user):
    """How many of ``user``'s notifications are unread: one query, on the unread index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user, pk):
    """``user``'s own notification ``pk``; Http404 for anyone else's, or none."""
    return get_object_or_404(Notification, recipient=user, pk=pk)


def notification_open(*, user, pk):
    """Mark ``user``'s notification ``pk`` read (once: the first time counts) and return it."""
    notification = notification_get(user=user, pk=pk)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user):
    """Mark every unread notification of ``user``'s read; return how many were unread."""
    with transaction.atomic():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
