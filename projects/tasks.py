from celery import shared_task

from projects.lifecycle.services import projects_close_ended, projects_start_scheduled


@shared_task(ignore_result=True)
def close_ended_projects():
    """Daily: close every active project past its end date (safe to run twice)."""
    return projects_close_ended()


@shared_task(ignore_result=True)
def start_scheduled_projects():
    """Daily: start every approved project whose co-ordinator scheduled the start, on its start
    date (safe to run twice)."""
    return projects_start_scheduled()
