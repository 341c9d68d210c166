"""The secretariat's screening of a submitted proposal: start, return, pass on or fast-track.

Screening is a completeness and feasibility check. It ends in one of three ways, each recorded
as a ``ScreeningReview`` with the checks ticked:

- returned to the co-ordinator with comments on named sections of the proposal;
- passed on, to the data owners when a requested dataset needs its department's consent
  (those requests wait for consent, the others are marked as not needing it), else straight to
  the panel;
- approved under delegated authority (the fast track), for a low-risk proposal. The fast track
  is closed to a proposal whose datasets need a department's consent: consent is the data
  owner's to give, and screening cannot give it, so such a proposal always goes to the data
  owners and then the panel.

Each function locks the proposal, fires the transition through ``transition_fire`` (which
checks who is asking and the step's conditions, and writes the audit event), records what the
secretariat wrote, all inside one ``transaction.atomic()``; who is told is declared in
``notices.py`` and told once the step commits.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from legislation.selectors import datasets_needing_consent
from projects.amendment.services import amendment_apply
from projects.models import DatasetRequest, PanelDecision, Proposal, ScreeningReview
from researchers.models import User
from workflow.services import transition_fire

State = Proposal.State
Consent = DatasetRequest.Consent

# The completeness and feasibility checklist, in the order the page lists it.
SCREENING_CHECKS = (
    ("complete", "Every section is complete and answers the question it asks"),
    ("public_good", "The project serves a listed public-good purpose, and says how"),
    ("open_data", "It explains why openly available data cannot answer the question"),
    ("minimum_data", "The datasets and variables requested are the least the aims need"),
    ("gateway", "Every requested dataset has a legal gateway for this use"),
    ("access_mode", "The access mode is at least as strict as the data requires"),
    (
        "team",
        "Every team member holds accreditation lasting to the end date, and any provisional "
        "member's supervisor is on the team",
    ),
    ("feasible", "The methods, software and timescale are feasible with the data requested"),
    ("ethics", "The ethics self-assessment, and the DPIA where one is needed, are adequate"),
    ("outputs", "The outputs and publication plan are realistic and commit to publishing"),
)
CHECK_KEYS = tuple(key for key, _ in SCREENING_CHECKS)


def _checks(checks: Iterable[str] | None) -> list[str]:
    """The ticked checks, known ones only, in the checklist's order."""
    ticked = set(checks or ())
    unknown = ticked - set(CHECK_KEYS)
    if unknown:
        raise ValidationError({"checks": "Tick only the checks on the list."})
    return [key for key in CHECK_KEYS if key in ticked]


def _all_checks(checks: Iterable[str] | None, *, step: str) -> list[str]:
    checks = _checks(checks)
    if len(checks) != len(CHECK_KEYS):
        raise ValidationError({"checks": f"Tick every check before you {step}"})
    return checks


def screening_start(
    *, proposal: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """Take a submitted proposal into screening, so the co-ordinator knows it is being read."""
    return transition_fire(obj=proposal, transition="start_screening", by=by, request=request)


def screening_return(
    *,
    proposal: Proposal,
    section_comments: Mapping[str, str | None] | None,
    checks: Iterable[str] | None = (),
    by: User,
    request: HttpRequest | None = None,
) -> ScreeningReview:
    """Return a proposal in screening to its co-ordinator with comments on named sections.

    ``section_comments`` maps section names to what needs changing; at least one is required,
    and each comment is shown to the co-ordinator beside its section.
    """
    from projects.screening.sections import section_names

    names = section_names()
    comments: dict[str, str] = {}
    for section, comment in (section_comments or {}).items():
        if section not in names:
            raise ValidationError(f"“{section}” is not a section of a proposal.")
        comment = (comment or "").strip()
        if comment:
            comments[section] = comment
    if not comments:
        raise ValidationError("Say what needs changing in at least one section of the proposal")
    checks = _checks(checks)
    with transaction.atomic():
        proposal = transition_fire(
            obj=proposal,
            transition="return_to_coordinator",
            by=by,
            request=request,
            payload={"route": "screening", "sections": sorted(comments), "checks": checks},
        )
        screening = ScreeningReview.objects.create(
            proposal=proposal,
            by=by,
            checks=checks,
            section_comments=comments,
            outcome=ScreeningReview.Outcome.RETURNED,
        )
    return screening


def screening_pass(
    *,
    proposal: Proposal,
    checks: Iterable[str] | None,
    by: User,
    request: HttpRequest | None = None,
) -> Proposal:
    """Pass a screened proposal on: to the data owners when a dataset needs its department's
    consent, otherwise to the panel.

    The datasets needing consent wait for it (any earlier answer no longer counts, as the
    proposal may have changed since); the others are marked as not needing it. Each
    department's data owners are told (``notices.py``).
    """
    checks = _all_checks(checks, step="pass the proposal on")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        requests = list(locked.dataset_requests.select_related("dataset__department"))
        needing = {
            dataset.pk
            for dataset in datasets_needing_consent(datasets=[r.dataset for r in requests])
        }
        transition = "send_to_data_owners" if needing else "send_to_panel"
        for dataset_request in requests:
            dataset_request.consent = (
                Consent.PENDING if dataset_request.dataset_id in needing else Consent.NOT_NEEDED
            )
            dataset_request.consent_by = None
            dataset_request.consent_at = None
            dataset_request.consent_reasons = ""
        DatasetRequest.objects.bulk_update(
            requests, ["consent", "consent_by", "consent_at", "consent_reasons"]
        )
        proposal = transition_fire(
            obj=locked,
            transition=transition,
            by=by,
            request=request,
            payload={"checks": checks, "datasets_needing_consent": sorted(needing)},
        )
        ScreeningReview.objects.create(
            proposal=proposal, by=by, checks=checks, outcome=ScreeningReview.Outcome.PASSED
        )
    return proposal


def proposal_fast_track(
    *,
    proposal: Proposal,
    checks: Iterable[str] | None,
    rationale: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> PanelDecision:
    """Approve a low-risk proposal in screening under the secretariat's delegated authority.

    Recorded as a fast-tracked screening and a decision by the fast-track route, with the
    rationale the secretariat gives (required); the co-ordinator is told (``notices.py``). An
    amendment approved so comes into force in the same transaction.
    """
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError(
            {"rationale": "Say why the proposal is low-risk enough for the fast track"}
        )
    checks = _all_checks(checks, step="approve the proposal")
    with transaction.atomic():
        proposal = transition_fire(
            obj=proposal,
            transition="fast_track_approve",
            by=by,
            request=request,
            payload={"route": PanelDecision.Route.FAST_TRACK, "checks": checks},
        )
        ScreeningReview.objects.create(
            proposal=proposal,
            by=by,
            checks=checks,
            outcome=ScreeningReview.Outcome.FAST_TRACKED,
        )
        decision = PanelDecision.objects.create(
            proposal=proposal,
            outcome=PanelDecision.Outcome.APPROVED,
            route=PanelDecision.Route.FAST_TRACK,
            rationale=rationale,
            decided_by=by,
        )
        if proposal.amends_id is not None:
            amendment_apply(amendment=proposal, by=by, request=request)
    return decision
