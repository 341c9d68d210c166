"""The figures of the secretariat's accreditation report: pure selectors, no writes.

``report_build`` is the one entry point. It reads each kind of record (researcher accreditation
applications, accreditations, proposals, output requests, panel assignments) as one narrow
``values_list`` query, and the moments a record reached a state that the model does not keep
as a timestamp from the audit trail (one grouped query per kind), so the number of queries is
the same for ten records or a hundred thousand.

Where a record falls. An application, proposal or output request belongs to the month it was
last submitted, or the month it was started when it was never submitted; it is in the report
when that day is within the date range. An accreditation belongs to the month it starts. Its
organisation is that of the applicant, the researcher, the project's co-ordinator or the
requesting project's co-ordinator, as their profile says today.

Processing times are in calendar days between two moments, from the model's own timestamps
(``submitted_at``, ``decided_at``, ``released_at``) or, for the states in between, the time of
the latest audit event that entered that state (``workflow.services.transition_fire`` writes one
per transition, with ``to_state``). A record sent back and submitted again is timed on its last
pass. A stage is left out for a record that has not finished it, or skipped it (a fast-tracked
proposal never reaches the panel).

Percentiles are computed in Python over those narrow lists rather than in SQL: PostgreSQL has
``percentile_cont`` but SQLite, the embedded default, has no percentile function, and the same
figures must come out of both. The method is linear interpolation between closest ranks (as
PostgreSQL's ``percentile_cont``, numpy's default and Excel's ``PERCENTILE.INC``), so the median
of an even number of values is the mean of the middle two.
"""

import calendar
import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import CharField, Max
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accreditation.models import Accreditation, AccreditationApplication
from audit.models import AuditEvent
from outputs import service_level
from outputs.models import OutputRequest
from projects.models import Proposal, ReviewerAssignment

if TYPE_CHECKING:
    from researchers.models import Organisation

EXPIRING_WITHIN_DAYS = 90
NO_ORGANISATION = "No organisation given"


# Percentiles ----------------------------------------------------------------------------------


def percentile(values, fraction):
    """The ``fraction`` (0 to 1) percentile of ``values`` by linear interpolation; None if empty.

    With the values sorted, x[0] … x[n-1], the rank is h = (n - 1) * fraction and the result
    x[⌊h⌋] + (h - ⌊h⌋) * (x[⌊h⌋+1] - x[⌊h⌋]).
    """
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * fraction
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True)
class Distribution:
    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values):
        values = list(values)
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))


# What each kind of record is ----------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    start: str
    end: str


@dataclass(frozen=True)
class Kind:
    """One kind of record the report counts and times.

    ``moments`` maps a moment's name to the model field that holds it; ``audit_moments`` maps a
    moment's name to the state whose latest audit event gives it.
    """

    key: str
    label: str
    model: type
    organisation: str
    moments: dict
    audit_moments: dict
    stages: tuple

    @property
    def audit_type(self):
        return self.model._meta.label_lower

    @property
    def states(self):
        return self.model.State


APPLICATIONS = Kind(
    key="application",
    label="Researcher accreditation applications",
    model=AccreditationApplication,
    organisation="applicant__profile__organisation__name",
    moments={"submitted": "submitted_at", "decided": "decided_at"},
    audit_moments={},
    stages=(
        Stage("application_decision", "Application: submitted to decided", "submitted", "decided"),
    ),
)
PROPOSALS = Kind(
    key="proposal",
    label="Project proposals",
    model=Proposal,
    organisation="coordinator__profile__organisation__name",
    moments={"submitted": "submitted_at", "decided": "decided_at"},
    audit_moments={
        "screening": Proposal.State.SCREENING,
        "panel": Proposal.State.PANEL_REVIEW,
    },
    stages=(
        Stage("proposal_screening", "Proposal: submitted to screening", "submitted", "screening"),
        Stage("proposal_panel", "Proposal: screening to panel review", "screening", "panel"),
        Stage("proposal_panel_decision", "Proposal: panel review to decision", "panel", "decided"),
        Stage("proposal_decision", "Proposal: submitted to decision", "submitted", "decided"),
    ),
)
OUTPUT_REQUESTS = Kind(
    key="output_request",
    label="Output requests",
    model=OutputRequest,
    organisation="project__coordinator__profile__organisation__name",
    moments={
        "submitted": "submitted_at",
        "decided": "decided_at",
        "released": "released_at",
        "returned": "returned_at",
    },
    audit_moments={"reviewed": OutputRequest.State.REVIEWED},
    stages=(
        Stage("output_review", "Output request: submitted to reviewed", "submitted", "reviewed"),
        Stage("output_decision", "Output request: reviewed to decided", "reviewed", "decided"),
        Stage("output_release", "Output request: approved to released", "decided", "released"),
        Stage("output_total", "Output request: submitted to decided", "submitted", "decided"),
    ),
)
KINDS = (APPLICATIONS, PROPOSALS, OUTPUT_REQUESTS)
STAGES = tuple(stage for kind in KINDS for stage in kind.stages)


# Reading records ------------------------------------------------------------------------------


@dataclass
class Record:
    """One application, proposal or output request, as the report sees it."""

    kind: Kind
    pk: object
    organisation: str
    day: datetime.date
    state: str
    moments: dict

    @property
    def month(self):
        return self.day.replace(day=1)

    @property
    def state_label(self):
        return self.kind.states(self.state).label

    def stage_days(self, stage):
        """Calendar days from the stage's start to its end, or None when not both happened."""
        start, end = self.moments.get(stage.start), self.moments.get(stage.end)
        if start is None or end is None or end < start:
            return None
        return (end - start).total_seconds() / 86400


def _local_day(moment):
    return timezone.localdate(moment) if moment is not None else None


def _range_bounds(date_from, date_to):
    """Aware datetimes bounding the days ``date_from`` to ``date_to`` in the service's zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def kind_queryset(kind, *, date_from, date_to, organisation=None):
    """The kind's records falling within the range (and organisation), ordered by key."""
    start, end = _range_bounds(date_from, date_to)
    records = kind.model._default_manager.annotate(
        report_at=Coalesce("submitted_at", "created_at")
    ).filter(report_at__gte=start, report_at__lt=end)
    if organisation is not None:
        path = kind.organisation.removesuffix("__name")
        records = records.filter(**{path: organisation})
    return records.order_by("pk")


def _audit_moments(kind, ids):
    """{(object id as text, moment name): time} from the latest audit event entering each state.

    ``ids`` is a queryset of the records' keys or a list of them.
    """
    if not kind.audit_moments:
        return {}
    by_state = {str(state): name for name, state in kind.audit_moments.items()}
    if hasattr(ids, "query"):
        ids = ids.annotate(key_text=Cast("pk", CharField())).values("key_text")
    else:
        ids = [str(pk) for pk in ids]
    rows = (
        AuditEvent.objects.filter(
            object_type=kind.audit_type, to_state__in=list(by_state), object_id__in=ids
        )
        .order_by()
        .values_list("object_id", "to_state")
        .annotate(at=Max("created_at"))
    )
    return {(object_id, by_state[state]): at for object_id, state, at in rows}


def _fields(kind):
    return ["pk", kind.organisation, "report_at", "state", *kind.moments.values()]


def records_from_rows(kind, rows, audit):
    names = list(kind.moments)
    for pk, organisation, report_at, state, *times in rows:
        moments = dict(zip(names, times, strict=True))
        for name in kind.audit_moments:
            moments[name] = audit.get((str(pk), name))
        yield Record(
            kind=kind,
            pk=pk,
            organisation=organisation or NO_ORGANISATION,
            day=_local_day(report_at),
            state=state,
            moments=moments,
        )


def kind_records(kind, *, date_from, date_to, organisation=None):
    """Every record of ``kind`` in the report, in two queries whatever their number."""
    records = kind_queryset(kind, date_from=date_from, date_to=date_to, organisation=organisation)
    audit = _audit_moments(kind, records.values("pk"))
    return list(records_from_rows(kind, records.values_list(*_fields(kind)), audit))


def kind_records_in_batches(kind, *, date_from, date_to, organisation=None, batch_size=2000):
    """The same records as ``kind_records``, read ``batch_size`` at a time by key.

    Two queries a batch and never more than one batch in memory, for exports of any size.
    """
    records = kind_queryset(kind, date_from=date_from, date_to=date_to, organisation=organisation)
    last = None
    while True:
        batch = records if last is None else records.filter(pk__gt=last)
        rows = list(batch.values_list(*_fields(kind))[:batch_size])
        if not rows:
            return
        audit = _audit_moments(kind, [row[0] for row in rows])
        yield from records_from_rows(kind, rows, audit)
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


# Service levels -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _output_due(submitted_day, working_days):
    return service_level.due_date(submitted_day, days=working_days)


def output_decided_at(record):
    """When the checkers decided: approval or rejection, or a return for changes made after
    the last submission."""
    moments = record.moments
    if moments.get("decided"):
        return moments["decided"]
    returned, submitted = moments.get("returned"), moments.get("submitted")
    if returned and submitted and returned >= submitted:
        return returned
    return None


def output_within_level(record, *, today, working_days):
    """True (decided within the level), False (decided late, or undecided past the due day) or
    None (not submitted, or still within the level)."""
    submitted = record.moments.get("submitted")
    if submitted is None:
        return None
    due = _output_due(_local_day(submitted), working_days)
    decided = output_decided_at(record)
    if decided is not None:
        return _local_day(decided) <= due
    return False if today > due else None


@dataclass(frozen=True)
class Compliance:
    label: str
    met: int
    missed: int

    @property
    def total(self):
        return self.met + self.missed

    @property
    def percent(self):
        return round(100 * self.met / self.total, 1) if self.total else None


def compliance_of(label, outcomes):
    counts = Counter(outcome for outcome in outcomes if outcome is not None)
    return Compliance(label, counts[True], counts[False])


def panel_outcomes(*, date_from, date_to, organisation=None, today):
    """(organisation, due day, True/False) for each panel assignment due within the range: in by
    the due day or not. Assignments not yet due, and reviewers taken off the panel, are left out."""
    assignments = ReviewerAssignment.objects.filter(
        due_date__gte=date_from, due_date__lte=date_to
    ).on_panel()
    if organisation is not None:
        assignments = assignments.filter(proposal__coordinator__profile__organisation=organisation)
    rows = assignments.order_by().values_list(
        "proposal__coordinator__profile__organisation__name",
        "due_date",
        "recommendation__submitted_at",
    )
    for organisation_name, due, submitted_at in rows:
        if submitted_at is not None:
            yield organisation_name or NO_ORGANISATION, due, _local_day(submitted_at) <= due
        elif today > due:
            yield organisation_name or NO_ORGANISATION, due, False


# The report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCounts:
    label: str
    counts: list  # (state label, count), every state in the model's order
    total: int


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    distribution: Distribution


@dataclass(frozen=True)
class Breakdown:
    """One row of the by-month or by-organisation tables."""

    label: str
    applications: int = 0
    accreditations: int = 0
    proposals: int = 0
    output_requests: int = 0
    output_met: int = 0
    output_missed: int = 0

    @property
    def output_percent(self):
        total = self.output_met + self.output_missed
        return round(100 * self.output_met / total, 1) if total else None


@dataclass(frozen=True)
class Expiring:
    researcher_id: int
    name: str
    email: str
    organisation: str
    level: str
    valid_until: datetime.date
    days_left: int


@dataclass(frozen=True)
class Report:
    date_from: datetime.date
    date_to: datetime.date
    organisation: object
    today: datetime.date
    months: list = field(default_factory=list)
    state_counts: list = field(default_factory=list)
    stage_times: list = field(default_factory=list)
    compliance: list = field(default_factory=list)
    by_month: list = field(default_factory=list)
    by_organisation: list = field(default_factory=list)
    expiring: list = field(default_factory=list)

    @property
    def expiring_by(self):
        return self.today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)

    @property
    def organisation_name(self):
        return str(self.organisation) if self.organisation is not None else ""


def months_between(date_from, date_to):
    """The first day of every month from ``date_from``'s to ``date_to``'s."""
    months = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        days = calendar.monthrange(month.year, month.month)[1]
        month = month + datetime.timedelta(days=days)
    return months


def _state_counts(kind, states):
    counts = Counter(states)
    rows = [(label, counts.get(value, 0)) for value, label in kind.states.choices]
    return StateCounts(kind.label, rows, sum(counts.values()))


def _accreditations(*, date_from, date_to, organisation):
    rows = Accreditation.objects.filter(valid_from__gte=date_from, valid_from__lte=date_to)
    if organisation is not None:
        rows = rows.filter(researcher__profile__organisation=organisation)
    return list(
        rows.order_by().values_list(
            "researcher__profile__organisation__name", "valid_from", "state"
        )
    )


def accreditations_expiring(*, today, organisation=None, within_days=EXPIRING_WITHIN_DAYS):
    """Active accreditations whose last valid day is within ``within_days`` of ``today``,
    soonest first, in one query."""
    rows = Accreditation.objects.filter(
        state=Accreditation.State.ACTIVE,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=within_days),
    )
    if organisation is not None:
        rows = rows.filter(researcher__profile__organisation=organisation)
    rows = rows.order_by("valid_until", "researcher__full_name", "pk").values_list(
        "researcher_id",
        "researcher__full_name",
        "researcher__email",
        "researcher__profile__organisation__name",
        "level",
        "valid_until",
    )
    levels = dict(Accreditation._meta.get_field("level").choices)
    return [
        Expiring(
            researcher_id=researcher_id,
            name=name or email,
            email=email,
            organisation=organisation_name or NO_ORGANISATION,
            level=levels.get(level, level),
            valid_until=valid_until,
            days_left=(valid_until - today).days,
        )
        for researcher_id, name, email, organisation_name, level, valid_until in rows
    ]


def report_build(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    organisation: "Organisation | None" = None,
    today: datetime.date | None = None,
    working_days: int | None = None,
) -> "Report":
    """The whole report for records falling between ``date_from`` and ``date_to`` (inclusive),
    for one ``Organisation`` or all, as a ``Report``. A fixed number of queries."""
    today = timezone.localdate() if today is None else today
    working_days = (
        settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS if working_days is None else working_days
    )
    scope = {"date_from": date_from, "date_to": date_to, "organisation": organisation}
    records = {kind.key: kind_records(kind, **scope) for kind in KINDS}
    accreditations = _accreditations(**scope)

    state_counts = [
        _state_counts(kind, [record.state for record in records[kind.key]]) for kind in KINDS
    ]
    state_counts.insert(
        1, _state_counts_for_accreditations([state for _, _, state in accreditations])
    )

    stage_times = []
    for kind in KINDS:
        for stage in kind.stages:
            days = (record.stage_days(stage) for record in records[kind.key])
            stage_times.append(StageTime(stage, Distribution.of(d for d in days if d is not None)))

    output_outcomes = [
        (record, output_within_level(record, today=today, working_days=working_days))
        for record in records[OUTPUT_REQUESTS.key]
    ]
    panel = list(panel_outcomes(**scope, today=today))
    compliance = [
        compliance_of(
            f"Output requests decided within {working_days} working days",
            [outcome for _, outcome in output_outcomes],
        ),
        compliance_of(
            "Panel recommendations in by their due date", [outcome for _, _, outcome in panel]
        ),
    ]

    months = months_between(date_from, date_to)
    by_month = _breakdown(
        [month.strftime("%B %Y") for month in months],
        lambda day: day.replace(day=1).strftime("%B %Y"),
        records,
        accreditations,
        output_outcomes,
        by_organisation=False,
    )
    by_organisation = _breakdown(
        None, None, records, accreditations, output_outcomes, by_organisation=True
    )
    return Report(
        date_from=date_from,
        date_to=date_to,
        organisation=organisation,
        today=today,
        months=months,
        state_counts=state_counts,
        stage_times=stage_times,
        compliance=compliance,
        by_month=by_month,
        by_organisation=by_organisation,
        expiring=accreditations_expiring(today=today, organisation=organisation),
    )


def _state_counts_for_accreditations(states):
    counts = Counter(states)
    rows = [(label, counts.get(value, 0)) for value, label in Accreditation.State.choices]
    return StateCounts("Accreditations granted", rows, sum(counts.values()))


def _breakdown(labels, month_label, records, accreditations, output_outcomes, *, by_organisation):
    """Counts per month (``labels`` in order) or per organisation (alphabetical)."""
    tally = defaultdict(Counter)

    def key_of(organisation, day):
        return organisation if by_organisation else month_label(day)

    for kind, column in (
        (APPLICATIONS, "applications"),
        (PROPOSALS, "proposals"),
        (OUTPUT_REQUESTS, "output_requests"),
    ):
        for record in records[kind.key]:
            tally[key_of(record.organisation, record.day)][column] += 1
    for organisation, valid_from, _ in accreditations:
        tally[key_of(organisation or NO_ORGANISATION, valid_from)]["accreditations"] += 1
    for record, outcome in output_outcomes:
        if outcome is not None:
            column = "output_met" if outcome else "output_missed"
            tally[key_of(record.organisation, record.day)][column] += 1
    if labels is None:
        labels = sorted(tally, key=lambda name: (name == NO_ORGANISATION, name.lower()))
    return [Breakdown(label, **tally.get(label, {})) for label in labels]
