"""A page that says what an irreversible step will do, before it is done.

A view whose form is valid asks ``confirmation_due(request, obj, transition, chosen=...)``; while
the person has not yet confirmed, it returns ``confirmation_page(...)``, which shows what will
happen and posts the same form again, every value kept, with ``confirmed`` added. Nothing is
changed until then.
"""

from collections.abc import Sequence

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .services import unmet_conditions, user_may_fire

CONFIRMED = "confirmed"


def confirmation_needed(request: HttpRequest) -> bool:
    """Whether the posted step still needs the person to confirm it."""
    return request.POST.get(CONFIRMED) != "yes"


def confirmation_due(
    request: HttpRequest, obj: models.Model, transition: str, *, chosen: str | None
) -> bool:
    """Whether to ask the person to confirm before firing ``transition`` on ``obj``: it is the
    step they ``chose``, they have not confirmed it yet, and it would go through now. A step
    they may not take, or whose conditions are not met, is not confirmed first: it goes on to
    be refused at once, with its reasons."""
    return (
        chosen == transition
        and confirmation_needed(request)
        and user_may_fire(obj, transition, request.user)
        and not unmet_conditions(obj, transition)
    )


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    confirm_label: str,
    cancel_url: str,
    caption: str = "",
) -> HttpResponse:
    """The page asking the person to confirm: ``consequences`` are the sentences saying what
    will happen and what cannot be undone."""
    posted = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in values
    ]
    return render(
        request,
        "workflow/confirm.html",
        {
            "title": title,
            "caption": caption,
            "consequences": consequences,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "posted": posted,
            "confirmed_name": CONFIRMED,
        },
    )
