"""The two reminders every kind of draft gets: a warning once nobody has touched it for a while,
then, after a further while with no work on it, its withdrawal by the service with notice.

Applications, proposals and output requests each declare theirs with ``stale_draft_rules``; the
rules differ only in the model, who owns the draft and the words.
"""

from datetime import timedelta

from django.utils import timezone

from workflow.errors import TransitionNotPermitted, TransitionRefused
from workflow.services import transition_fire

from .hooks import ReminderRule
from .reminders import reminded, untouched_since

# Days a draft may sit untouched before its owner is warned, and again before it is withdrawn.
DRAFT_STALE_DAYS = 30
DRAFT_WITHDRAW_AFTER_DAYS = 30


def draft_untouched_long_enough(draft):
    """Whether nobody has worked on ``draft`` for the days after which the service withdraws it.

    Each draft's withdraw permission asks this of the row ``transition_fire`` has locked, so a
    draft its owner worked on after the sweep found it is left alone.
    """
    days = DRAFT_STALE_DAYS + DRAFT_WITHDRAW_AFTER_DAYS
    return draft.updated_at < untouched_since(timezone.localdate() - timedelta(days=days))


def drafts_withdraw(drafts):
    """The service withdraws each draft; returns those it withdrew (one worked on meanwhile, or
    no longer a draft, is refused by its transition and left alone)."""
    withdrawn = []
    for draft in drafts:
        try:
            transition_fire(
                obj=draft,
                transition="withdraw",
                by=None,
                payload={"reason": "untouched", "automatic": True},
            )
        except (TransitionRefused, TransitionNotPermitted):
            continue
        withdrawn.append(draft)
    return withdrawn


def stale_draft_rules(
    *, kind, model, draft_state, owner, noun, short_noun, link, withdrawn_action_text, name
):
    """The warning rule (``<kind>_stale``) and the withdrawal rule (``<kind>_withdrawn``) for
    drafts of ``model`` in ``draft_state``, told to the user in the ``owner`` field.

    ``noun`` names the draft in subjects ("project proposal"), ``short_noun`` in sentences
    ("proposal"); the templates are ``reminder_<kind>_stale`` and ``reminder_<kind>_withdrawn``
    and get the draft as ``object`` and as ``name``.
    """
    withdraw_days = DRAFT_STALE_DAYS + DRAFT_WITHDRAW_AFTER_DAYS

    def recipients(draft, audience):
        return [getattr(draft, owner)]

    def context(draft):
        return {name: draft, "withdraw_after": DRAFT_WITHDRAW_AFTER_DAYS}

    def stale_candidates(today):
        return model.objects.filter(
            state=draft_state,
            updated_at__lt=untouched_since(today - timedelta(days=DRAFT_STALE_DAYS)),
        ).select_related(owner)

    def withdraw_candidates(today):
        return (
            model.objects.filter(
                state=draft_state,
                updated_at__lt=untouched_since(today - timedelta(days=withdraw_days)),
            )
            # Only once the owner was warned since they last touched it, and given the whole
            # further period to act.
            .filter(
                reminded(
                    f"{kind}_stale",
                    model,
                    sent_before=today - timedelta(days=DRAFT_WITHDRAW_AFTER_DAYS - 1),
                    sent_after_field="updated_at",
                )
            )
            .select_related(owner)
        )

    def days_after_last_touch(days):
        return lambda draft: timezone.localdate(draft.updated_at) + timedelta(days=days)

    return [
        ReminderRule(
            kind=f"{kind}_stale",
            candidates=stale_candidates,
            due_date=days_after_last_touch(DRAFT_STALE_DAYS),
            recipients=recipients,
            subject=f"Finish your {noun} or it will be withdrawn",
            template=f"reminder_{kind}_stale",
            action_text=f"Continue your {short_noun}",
            link=link,
            context=context,
            summary=(
                f"Your draft has not changed for {DRAFT_STALE_DAYS} days. It will be withdrawn "
                f"after another {DRAFT_WITHDRAW_AFTER_DAYS} days unless you work on it."
            ),
        ),
        ReminderRule(
            kind=f"{kind}_withdrawn",
            candidates=withdraw_candidates,
            due_date=days_after_last_touch(withdraw_days),
            recipients=recipients,
            subject=f"Your draft {noun} has been withdrawn",
            template=f"reminder_{kind}_withdrawn",
            action_text=withdrawn_action_text,
            link=link,
            context=context,
            action=drafts_withdraw,
            summary=(
                f"Nobody worked on it for {withdraw_days} days. You can start a new "
                f"{short_noun} at any time."
            ),
        ),
    ]
