"""The figures of the secretariat's accreditation report: pure selectors, no writes.

``report_build`` is the one entry point. Every figure is an aggregate the database computes:
for each kind of record (researcher accreditation applications, proposals, output requests)
one query gives the counts by state, the processing times and the service level, one the
counts by month and one the counts by organisation; accreditations and panel assignments are
counted the same way, and the expiring accreditations are read a page at a time. So the number
of queries, and what travels from the database, is the same for ten records or a hundred
thousand.

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

Percentiles use linear interpolation between closest ranks (PostgreSQL's ``percentile_cont``,
numpy's default and Excel's ``PERCENTILE.INC``), so the median of an even number of values is
the mean of the middle two. PostgreSQL computes them with ``percentile_cont``; SQLite, the
embedded default, has no percentile function, so ``percentile`` below is given to it as an
aggregate function of the connection, and the same figures come out of both.
"""

import calendar
import datetime
import math
import sys
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from accreditation.models import Accreditation, AccreditationApplication
from audit.selectors import audit_moment
from govuk.paging import ROWS_PER_PAGE
from outputs import service_level
from outputs.models import OutputRequest
from projects.models import Proposal, ReviewerAssignment

if TYPE_CHECKING:
    from researchers.models import Organisation

EXPIRING_WITHIN_DAYS = 90
EXPIRING_PER_PAGE = ROWS_PER_PAGE
# The report page shows the organisations with the most records; a page of its own lists all.
BY_ORGANISATION_TOP = 20
BY_ORGANISATION_PER_PAGE = ROWS_PER_PAGE
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


class _SqlitePercentile:
    """``percentile`` as an SQLite aggregate function: report_percentile(value, fraction)."""

    def __init__(self):
        self.values = []
        self.fraction = None

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return percentile(self.values, self.fraction)


class Percentile(Aggregate):
    """The ``fraction`` percentile of a number, nulls left out; None when there is none."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Given to every connection that asks, since connections come and go; registering it
        # again replaces it, which costs next to nothing.
        connection.ensure_connection()
        connection.connection.create_aggregate("report_percentile", 2, _SqlitePercentile)
        return self.as_sql(
            compiler,
            connection,
            function="report_percentile",
            template="%(function)s(%(expressions)s, %(fraction)s)",
            **extra_context,
        )


class DaysBetween(Func):
    """Calendar days, with their fraction, from the moment ``start`` to the moment ``end``."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start, end, **extra):
        # Both dialects below take the later moment first.
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        # Seconds first, then days, as Python's total_seconds() / 86400 does, so the figures
        # are the very same floating-point numbers.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision) / 86400",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(django_timestamp_diff(%(expressions)s) / 1000000.0) / 86400",
            arg_joiner=", ",
            **extra_context,
        )


class DateDiff(Func):
    """Whole days from the date ``start`` to the date ``end``."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


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

    @property
    def moment_names(self):
        return [*self.moments, *self.audit_moments]


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
# The by-month and by-organisation tables' column counting each kind.
COLUMNS = {
    APPLICATIONS.key: "applications",
    PROPOSALS.key: "proposals",
    OUTPUT_REQUESTS.key: "output_requests",
}
STAGES = tuple(stage for kind in KINDS for stage in kind.stages)


# Reading records ------------------------------------------------------------------------------


@dataclass
class Record:
    """One application, proposal or output request, as the report's rows show it."""

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
    # The same as report_at within the range, written so that the planner estimates how many
    # records match from each column's statistics; it has none for the coalesced value, guesses
    # a handful and joins the organisations row by row.
    records = kind.model._default_manager.annotate(
        report_at=Coalesce("submitted_at", "created_at")
    ).filter(
        Q(submitted_at__gte=start, submitted_at__lt=end)
        | Q(submitted_at__isnull=True, created_at__gte=start, created_at__lt=end)
    )
    if organisation is not None:
        path = kind.organisation.removesuffix("__name")
        records = records.filter(**{path: organisation})
    return records.order_by("pk")


def _moment(name):
    return f"moment_{name}"


def with_moments(records, kind):
    """``records`` with each of the kind's moments as ``moment_<name>``, from the model's own
    timestamps or the audit trail."""
    return records.annotate(
        **{_moment(name): F(path) for name, path in kind.moments.items()},
        **{
            _moment(name): audit_moment(kind.audit_type, state)
            for name, state in kind.audit_moments.items()
        },
    )


def _fields(kind):
    return ["pk", kind.organisation, "report_at", "state", *map(_moment, kind.moment_names)]


def records_from_rows(kind, rows):
    names = kind.moment_names
    # Looked up once: finding the current zone costs more than converting a time to it.
    zone = timezone.get_current_timezone()
    for pk, organisation, report_at, state, *times in rows:
        yield Record(
            kind=kind,
            pk=pk,
            organisation=organisation or NO_ORGANISATION,
            day=report_at.astimezone(zone).date(),
            state=state,
            moments=dict(zip(names, times, strict=True)),
        )


def kind_records_in_batches(kind, *, date_from, date_to, organisation=None, batch_size=2000):
    """The kind's records in the report, read ``batch_size`` at a time by key.

    One query a batch, with the audit trail's moments in it, and never more than one batch in
    memory, for exports of any size.
    """
    records = with_moments(
        kind_queryset(kind, date_from=date_from, date_to=date_to, organisation=organisation),
        kind,
    ).values_list(*_fields(kind))
    last = None
    while True:
        batch = records if last is None else records.filter(pk__gt=last)
        rows = list(batch[:batch_size])
        if not rows:
            return
        yield from records_from_rows(kind, rows)
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


# Figures as aggregates ------------------------------------------------------------------------


def _apart(records):
    """``records`` as a query the database runs on its own before counting over its rows.

    A limit no report reaches keeps PostgreSQL from folding it into the counting query, which
    would look each audit moment up again for every figure using it (six times over for output
    requests) instead of once a record.
    """
    return records[: sys.maxsize]


def _stage_days(stage):
    """The stage's length in days, or null when it has not both started and finished."""
    start, end = _moment(stage.start), _moment(stage.end)
    return CaseWhen(
        When(Q(**{f"{end}__gte": F(start)}), then=DaysBetween(F(start), F(end))),
        default=None,
        output_field=FloatField(),
    )


def _state_aggregates(model):
    return {
        f"state_{index}": Count("pk", filter=Q(state=value))
        for index, (value, _) in enumerate(model.State.choices)
    }


def _state_counts(label, model, totals):
    rows = [
        (state_label, totals[f"state_{index}"])
        for index, (_, state_label) in enumerate(model.State.choices)
    ]
    return StateCounts(label, rows, totals["total"])


# Service levels -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _output_due(submitted_day, working_days):
    return service_level.due_date(submitted_day, days=working_days)


# The checkers' decision: approval or rejection, or a return for changes made after the last
# submission.
OUTPUT_DECIDED_AT = CaseWhen(
    When(decided_at__isnull=False, then=F("decided_at")),
    When(returned_at__gte=F("submitted_at"), then=F("returned_at")),
    default=None,
)


def _allowed_days(*, date_from, date_to, working_days):
    """How many calendar days after its submission day a request may be decided, as an SQL
    expression of the submission day, for every day of the range.

    The working days come from the bank-holiday calendar, which the database does not have: the
    range's days are grouped by the number of calendar days their level allows, the commonest
    number is the default and the others are listed.
    """
    days_by_allowance = {}
    day = date_from
    while day <= date_to:
        allowance = (_output_due(day, working_days) - day).days
        days_by_allowance.setdefault(allowance, []).append(day)
        day += datetime.timedelta(days=1)
    commonest = max(days_by_allowance, key=lambda allowance: len(days_by_allowance[allowance]))
    return CaseWhen(
        *[
            When(submitted_day__in=days, then=Value(allowance))
            for allowance, days in sorted(days_by_allowance.items())
            if allowance != commonest
        ],
        default=Value(commonest),
        output_field=IntegerField(),
    )


def with_service_level(records, *, date_from, date_to, today, working_days):
    """Output requests with ``level_met`` and ``level_missed`` conditions to count by:
    decided within the level, or decided late or undecided past the due day. Requests never
    submitted, and those still within the level, are in neither."""
    return records.annotate(
        submitted_day=TruncDate("submitted_at"),
        decided_day=TruncDate(OUTPUT_DECIDED_AT),
        allowed_days=_allowed_days(date_from=date_from, date_to=date_to, working_days=working_days),
        days_to_decision=DateDiff(F("submitted_day"), F("decided_day")),
        days_to_today=DateDiff(F("submitted_day"), Value(today, output_field=DateField())),
    )


LEVEL_MET = Q(submitted_at__isnull=False, days_to_decision__lte=F("allowed_days"))
LEVEL_MISSED = Q(submitted_at__isnull=False) & (
    Q(days_to_decision__gt=F("allowed_days"))
    | Q(decided_day__isnull=True, days_to_today__gt=F("allowed_days"))
)


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


def panel_compliance(*, date_from, date_to, organisation=None, today):
    """Panel assignments due within the range, in by the due day or not, in one query. Those
    not yet due, and reviewers taken off the panel, are left out."""
    assignments = ReviewerAssignment.objects.filter(
        due_date__gte=date_from, due_date__lte=date_to
    ).on_panel()
    if organisation is not None:
        assignments = assignments.filter(proposal__coordinator__profile__organisation=organisation)
    counts = assignments.alias(submitted_day=TruncDate("recommendation__submitted_at")).aggregate(
        met=Count("pk", filter=Q(submitted_day__lte=F("due_date"))),
        missed=Count(
            "pk",
            filter=Q(submitted_day__gt=F("due_date"))
            | Q(submitted_day__isnull=True, due_date__lt=today),
        ),
    )
    return Compliance("Panel recommendations in by their due date", counts["met"], counts["missed"])


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

    @property
    def total(self):
        """Every record the row counts: applications, accreditations, proposals and output
        requests."""
        return self.applications + self.accreditations + self.proposals + self.output_requests


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
    """The report's figures. ``expiring`` holds every accreditation expiring soon, or one page
    of them (``expiring_page``) when the report was built for a page of the site;
    ``expiring_count`` is how many there are in all."""

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
    expiring_count: int = 0
    expiring_page: Page | None = None

    @property
    def expiring_by(self):
        return self.today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)

    @property
    def organisation_name(self):
        return str(self.organisation) if self.organisation is not None else ""

    @property
    def by_organisation_top(self):
        """The ``BY_ORGANISATION_TOP`` organisations with the most records, most first; those
        with as many in the table's own order (by name, no organisation last)."""
        ranked = sorted(enumerate(self.by_organisation), key=lambda item: (-item[1].total, item[0]))
        return [row for _, row in ranked[:BY_ORGANISATION_TOP]]

    @property
    def by_organisation_all_shown(self):
        return len(self.by_organisation) <= BY_ORGANISATION_TOP


def months_between(date_from, date_to):
    """The first day of every month from ``date_from``'s to ``date_to``'s."""
    months = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        days = calendar.monthrange(month.year, month.month)[1]
        month = month + datetime.timedelta(days=days)
    return months


def _expiring_accreditations(*, today, organisation=None, within_days=EXPIRING_WITHIN_DAYS):
    accreditations = Accreditation.objects.filter(
        state=Accreditation.State.ACTIVE,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=within_days),
    )
    if organisation is not None:
        accreditations = accreditations.filter(researcher__profile__organisation=organisation)
    return accreditations


def _expiring_rows(*, today, organisation=None, within_days=EXPIRING_WITHIN_DAYS):
    rows = _expiring_accreditations(today=today, organisation=organisation, within_days=within_days)
    return rows.order_by("valid_until", "researcher__full_name", "pk").values_list(
        "researcher_id",
        "researcher__full_name",
        "researcher__email",
        "researcher__profile__organisation__name",
        "level",
        "valid_until",
    )


def _expiring(rows, today):
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


def accreditations_expiring(*, today, organisation=None, within_days=EXPIRING_WITHIN_DAYS):
    """Active accreditations whose last valid day is within ``within_days`` of ``today``,
    soonest first, in one query."""
    rows = _expiring_rows(today=today, organisation=organisation, within_days=within_days)
    return _expiring(rows, today)


def accreditations_expiring_page(*, today, organisation=None, number=1, per_page=None):
    """One page of ``accreditations_expiring``, as a ``Page`` of ``Expiring``, in two queries
    (how many, and the page's rows). A page number out of range gives the nearest page."""
    per_page = EXPIRING_PER_PAGE if per_page is None else per_page
    rows = _expiring_rows(today=today, organisation=organisation)
    paginator = Paginator(rows, per_page)
    # Counted without the joins the rows need for names and organisations, which made the
    # count several times slower at 100,000 researchers.
    paginator.count = _expiring_accreditations(today=today, organisation=organisation).count()
    page = paginator.get_page(number)
    page.object_list = _expiring(page.object_list, today)
    return page


def _month_of(value):
    return value.date() if isinstance(value, datetime.datetime) else value


class _Tally:
    """Counts per month or per organisation, summed from the grouped queries' rows."""

    def __init__(self):
        self.rows = {}

    def add(self, key, **counts):
        row = self.rows.setdefault(key, {})
        for column, count in counts.items():
            row[column] = row.get(column, 0) + count

    def breakdown(self, labels):
        return [Breakdown(label, **self.rows.get(label, {})) for label in labels]


def report_build(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    organisation: "Organisation | None" = None,
    today: datetime.date | None = None,
    working_days: int | None = None,
    expiring_page: int | str | None = None,
) -> "Report":
    """The whole report for records falling between ``date_from`` and ``date_to`` (inclusive),
    for one ``Organisation`` or all, as a ``Report``, in a fixed number of queries.

    With ``expiring_page`` (a page number, as a query string gives it) the accreditations
    expiring soon are that page of them; without it, all of them, as the PDF shows.
    """
    today = timezone.localdate() if today is None else today
    working_days = (
        settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS if working_days is None else working_days
    )
    scope = {"date_from": date_from, "date_to": date_to, "organisation": organisation}
    state_counts, stage_times = [], []
    by_month, by_organisation = _Tally(), _Tally()
    output_compliance = None
    for kind in KINDS:
        records = kind_queryset(kind, **scope).order_by()
        level = {}
        if kind is OUTPUT_REQUESTS:
            records = with_service_level(
                records,
                date_from=date_from,
                date_to=date_to,
                today=today,
                working_days=working_days,
            )
            level = {
                "output_met": Count("pk", filter=LEVEL_MET),
                "output_missed": Count("pk", filter=LEVEL_MISSED),
            }

        stages = {}
        for stage in kind.stages:
            days = _stage_days(stage)
            stages[f"{stage.key}_count"] = Count(days)
            stages[f"{stage.key}_median"] = Percentile(days, 0.5)
            stages[f"{stage.key}_p90"] = Percentile(days, 0.9)
        totals = _apart(with_moments(records, kind)).aggregate(
            total=Count("pk"), **_state_aggregates(kind.model), **stages, **level
        )
        state_counts.append(_state_counts(kind.label, kind.model, totals))
        stage_times += [
            StageTime(
                stage,
                Distribution(
                    totals[f"{stage.key}_count"],
                    totals[f"{stage.key}_median"],
                    totals[f"{stage.key}_p90"],
                ),
            )
            for stage in kind.stages
        ]
        if level:
            output_compliance = Compliance(
                f"Output requests decided within {working_days} working days",
                totals["output_met"],
                totals["output_missed"],
            )

        column = COLUMNS[kind.key]
        for row in records.values(month=TruncMonth("report_at")).annotate(
            count=Count("pk"), **level
        ):
            month = _month_of(row.pop("month"))
            by_month.add(month, **{column: row.pop("count")}, **row)
        for row in records.values(name=F(kind.organisation)).annotate(count=Count("pk"), **level):
            name = row.pop("name") or NO_ORGANISATION
            by_organisation.add(name, **{column: row.pop("count")}, **row)

    accreditations = Accreditation.objects.filter(
        valid_from__gte=date_from, valid_from__lte=date_to
    ).order_by()
    if organisation is not None:
        accreditations = accreditations.filter(researcher__profile__organisation=organisation)
    totals = accreditations.aggregate(total=Count("pk"), **_state_aggregates(Accreditation))
    state_counts.insert(1, _state_counts("Accreditations granted", Accreditation, totals))
    for row in accreditations.values(month=TruncMonth("valid_from")).annotate(count=Count("pk")):
        by_month.add(_month_of(row["month"]), accreditations=row["count"])
    for row in accreditations.values(name=F("researcher__profile__organisation__name")).annotate(
        count=Count("pk")
    ):
        by_organisation.add(row["name"] or NO_ORGANISATION, accreditations=row["count"])

    compliance = [output_compliance, panel_compliance(**scope, today=today)]

    months = months_between(date_from, date_to)
    names = sorted(by_organisation.rows, key=lambda name: (name == NO_ORGANISATION, name.lower()))
    return Report(
        date_from=date_from,
        date_to=date_to,
        organisation=organisation,
        today=today,
        months=months,
        state_counts=state_counts,
        stage_times=stage_times,
        compliance=compliance,
        by_month=_month_rows(by_month, months),
        by_organisation=by_organisation.breakdown(names),
        **_expiring_fields(today=today, organisation=organisation, expiring_page=expiring_page),
    )


def _expiring_fields(*, today, organisation, expiring_page):
    """The ``Report``'s expiring accreditations: all of them, or one page of them."""
    if expiring_page is None:
        expiring = accreditations_expiring(today=today, organisation=organisation)
        return {"expiring": expiring, "expiring_count": len(expiring), "expiring_page": None}
    page = accreditations_expiring_page(
        today=today, organisation=organisation, number=expiring_page
    )
    return {
        "expiring": page.object_list,
        "expiring_count": page.paginator.count,
        "expiring_page": page,
    }


# The report kept as JSON ----------------------------------------------------------------------


def report_figures(report: Report) -> dict:
    """The figures of ``report`` for all organisations as JSON-ready values, to be kept and
    turned back into the same ``Report`` by ``report_from_figures``. The expiring accreditations
    are left out: they are read live, a page at a time."""
    if report.organisation is not None:
        raise ValueError("Only the report for all organisations is kept.")
    return {
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "today": report.today.isoformat(),
        "months": [month.isoformat() for month in report.months],
        "state_counts": [
            {
                "label": group.label,
                "counts": [list(row) for row in group.counts],
                "total": group.total,
            }
            for group in report.state_counts
        ],
        "stage_times": [
            {
                "stage": time.stage.key,
                "count": time.distribution.count,
                "median": time.distribution.median,
                "p90": time.distribution.p90,
            }
            for time in report.stage_times
        ],
        "compliance": [
            {"label": item.label, "met": item.met, "missed": item.missed}
            for item in report.compliance
        ],
        "by_month": [asdict(row) for row in report.by_month],
        "by_organisation": [asdict(row) for row in report.by_organisation],
    }


def report_from_figures(figures: dict, *, expiring_page: int | str | None = None) -> Report:
    """The ``Report`` whose figures ``report_figures`` gave, with its expiring accreditations
    read now (one query, or two for a page of them)."""
    stages = {stage.key: stage for stage in STAGES}
    today = datetime.date.fromisoformat(figures["today"])
    return Report(
        date_from=datetime.date.fromisoformat(figures["date_from"]),
        date_to=datetime.date.fromisoformat(figures["date_to"]),
        organisation=None,
        today=today,
        months=[datetime.date.fromisoformat(month) for month in figures["months"]],
        state_counts=[
            StateCounts(group["label"], [tuple(row) for row in group["counts"]], group["total"])
            for group in figures["state_counts"]
        ],
        stage_times=[
            StageTime(
                stages[time["stage"]], Distribution(time["count"], time["median"], time["p90"])
            )
            for time in figures["stage_times"]
        ],
        compliance=[
            Compliance(item["label"], item["met"], item["missed"]) for item in figures["compliance"]
        ],
        by_month=[Breakdown(**row) for row in figures["by_month"]],
        by_organisation=[Breakdown(**row) for row in figures["by_organisation"]],
        **_expiring_fields(today=today, organisation=None, expiring_page=expiring_page),
    )


def report_without_figures(
    *, date_from: datetime.date, date_to: datetime.date, today: datetime.date, expiring_page
) -> Report:
    """The report for all organisations with its dates and a page of its expiring accreditations
    (read now) but none of its figures: for a page that shows the figures' HTML as kept."""
    return Report(
        date_from=date_from,
        date_to=date_to,
        organisation=None,
        today=today,
        **_expiring_fields(today=today, organisation=None, expiring_page=expiring_page),
    )


def _month_rows(tally, months):
    """One row per month of the range, labelled "April 2026"."""
    labelled = _Tally()
    for month, row in tally.rows.items():
        labelled.add(month.strftime("%B %Y"), **row)
    return labelled.breakdown([month.strftime("%B %Y") for month in months])
