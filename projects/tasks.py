from celery import shared_task

from .lifecycle_services import projects_close_ended


@shared_task(ignore_result=True)
def close_ended_projects():
    """Daily: close every active project past its end date (safe to run twice)."""
    return projects_close_ended()
