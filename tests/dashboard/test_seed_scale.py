import datetime
import itertools
import math
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import AutoField, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.models import Accreditation, AccreditationApplication
from audit.models import AuditEvent
from demo.management.commands.seed_scale import (
    ACCREDITATION_MIX,
    APPLICATION_MIX,
    OUTPUT_MIX,
    PROPOSAL_MIX,
    plan_for,
    scale_accounts,
    split,
)
from identity.roles import Role
from outputs.models import CheckResult, OutputFile, OutputRequest, Publication, Review
from projects.models import DatasetRequest, PanelDecision, Proposal, TeamMember
from researchers.models import Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("DEMO_PASSWORD", "a-scale-password-for-tests")


class Rollback(Exception):
    pass


def _seed(researchers, **options):
    out = StringIO()
    call_command("seed_scale", researchers=researchers, stdout=out, **options)
    return out.getvalue()


def _state_counts(model):
    from django.db.models import Count

    return dict(model.objects.values_list("state").annotate(n=Count("pk")).order_by())


def test_split_shares_by_weight_and_gives_every_key_one():
    assert split(20, {"a": 50, "b": 30, "c": 20}) == {"a": 10, "b": 6, "c": 4}
    assert split(3, {"a": 98, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 1}
    assert sum(split(1234, PROPOSAL_MIX).values()) == 1234
    assert split(2, {"a": 1, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 0}


def test_plan_grows_in_proportion_to_the_researchers():
    small, large = plan_for(2000), plan_for(20000)

    assert (small.organisations, small.proposals, small.output_requests) == (10, 200, 400)
    assert (large.organisations, large.proposals, large.output_requests) == (100, 2000, 4000)
    assert large.checkers == 10 * small.checkers
    assert large.reviewers == 10 * small.reviewers
    # A small database still has every state.
    assert plan_for(20).proposals == len(PROPOSAL_MIX)
    assert plan_for(20).output_requests == len(OUTPUT_MIX)


def test_seed_scale_makes_what_its_plan_says():
    plan = plan_for(200)

    output = _seed(200)

    researchers = User.objects.filter(groups__name=Role.RESEARCHER)
    assert researchers.count() == 200
    assert set(researchers.values_list("email", flat=True)) == {
        f"scale-{n}@example.org" for n in range(1, 201)
    }
    assert Organisation.objects.filter(name__startswith="Scale ").count() == plan.organisations
    assert User.objects.filter(groups__name=Role.SECRETARIAT).count() == plan.secretariat
    assert User.objects.filter(groups__name=Role.OUTPUT_CHECKER).count() == plan.checkers
    assert User.objects.filter(groups__name=Role.PANEL_REVIEWER).count() == plan.reviewers
    staff = User.objects.exclude(groups__name=Role.RESEARCHER)
    assert Authenticator.objects.filter(user__in=staff).count() == staff.count()
    assert not researchers.filter(profile__isnull=True).exists()
    assert not researchers.filter(qualifications__isnull=True).exists()
    assert not researchers.filter(training_records__isnull=True).exists()
    assert all(user.emailaddress_set.get().verified for user in researchers[:5])
    assert researchers.first().check_password("a-scale-password-for-tests")

    assert _state_counts(AccreditationApplication) == plan.applications()
    assert _state_counts(Accreditation) == plan.accreditations()
    assert _state_counts(Proposal) == plan.proposal_states()
    assert _state_counts(OutputRequest) == plan.output_states()
    assert set(plan.applications()) == set(APPLICATION_MIX)
    assert set(plan.accreditations()) == set(ACCREDITATION_MIX)
    assert all(plan.proposal_states().values()) and all(plan.output_states().values())

    assert "200 researchers" in output
    assert "proposals" in output


def test_seed_scale_gives_reports_and_reminders_something_to_find():
    _seed(200)
    today = timezone.localdate()

    active = Accreditation.objects.filter(state=Accreditation.State.ACTIVE)
    assert not active.filter(valid_until__lt=today).exists()
    assert active.filter(valid_until__lte=today + datetime.timedelta(days=90)).exists()
    assert active.filter(valid_until__gt=today + datetime.timedelta(days=365)).exists()
    assert not Accreditation.objects.filter(
        state=Accreditation.State.EXPIRED, valid_until__gte=today
    ).exists()

    # Teams, datasets and the panel's work are there as far as each proposal has gone.
    assert not Proposal.objects.filter(team__isnull=True).exists()
    assert not Proposal.objects.filter(dataset_requests__isnull=True).exists()
    assert TeamMember.objects.filter(role=TeamMember.Role.COORDINATOR).count() == 20
    decided = Proposal.objects.filter(decided_at__isnull=False)
    assert not decided.filter(decisions__isnull=True).exists()
    assert PanelDecision.objects.filter(route=PanelDecision.Route.PANEL).exists()
    assert not DatasetRequest.objects.filter(
        proposal__state=Proposal.State.ACTIVE, consent=DatasetRequest.Consent.PENDING
    ).exists()
    assert not Proposal.objects.filter(state=Proposal.State.ACTIVE, end_date__lt=today).exists()
    # An ended project is past its end date, held open by released outputs still unpublished.
    ended = Proposal.objects.filter(state=Proposal.State.ENDED)
    assert ended.exists()
    assert not ended.filter(Q(end_date__gte=today) | Q(ended_at__isnull=True)).exists()
    assert all(
        OutputFile.objects.filter(
            group__request__project=project,
            group__request__state=OutputRequest.State.RELEASED,
            publication__isnull=True,
        ).exists()
        for project in ended
    )

    # Output requests belong to projects that were active, with files and check results.
    assert not OutputRequest.objects.exclude(project__activated_at__isnull=False).exists()
    assert not OutputRequest.objects.filter(groups__files__isnull=True).exists()
    assert CheckResult.objects.count() == OutputFile.objects.count()
    assert CheckResult.objects.filter(outcome=CheckResult.Outcome.FAIL).exists()
    reviewed = OutputRequest.objects.filter(state=OutputRequest.State.REVIEWED)
    assert all(request.reviews.count() == 2 for request in reviewed)
    assert Review.objects.filter(submitted_at__isnull=False).count() == Review.objects.count()
    assert Publication.objects.exists()
    released = OutputRequest.objects.filter(state=OutputRequest.State.RELEASED)
    assert not released.filter(released_at__isnull=True).exists()
    with OutputFile.objects.first().file.open("rb") as stored:
        assert stored.read().startswith(b"region,people")


def test_seed_scale_writes_a_history_over_two_years_like_the_services():
    _seed(200)
    now = timezone.now()

    events = AuditEvent.objects.all()
    objects = (
        User.objects.count()
        + AccreditationApplication.objects.count()
        + Proposal.objects.count()
        + OutputRequest.objects.count()
    )
    assert events.count() >= 3 * objects
    assert not events.filter(created_at__gt=now).exists()
    assert events.filter(created_at__lt=now - datetime.timedelta(days=365)).exists()
    assert events.filter(created_at__gt=now - datetime.timedelta(days=30)).exists()

    # Each record's transitions are audited as transition_fire audits them, in order.
    for proposal in Proposal.objects.filter(state=Proposal.State.CLOSED):
        steps = list(
            events.filter(object_type="projects.proposal", object_id=str(proposal.pk))
            .exclude(to_state="")
            .order_by("created_at", "pk")
            .values_list("action", "from_state", "to_state")
        )
        assert steps[0] == ("proposal.create", "", "draft")
        assert steps[-1] == ("proposal.close", "active", "closed")
        for (_, _, reached), (_, left, _) in itertools.pairwise(steps):
            assert reached == left
    for proposal in Proposal.objects.filter(state=Proposal.State.ENDED):
        last = events.filter(object_type="projects.proposal", object_id=str(proposal.pk)).latest(
            "created_at", "pk"
        )
        assert (last.action, last.from_state, last.to_state, last.actor) == (
            "proposal.end",
            "active",
            "ended",
            None,
        )
        assert timezone.localdate(last.created_at) > proposal.end_date
    application = AccreditationApplication.objects.filter(
        state=AccreditationApplication.State.APPROVED
    ).first()
    actions = list(
        events.filter(
            object_type="accreditation.accreditationapplication", object_id=str(application.pk)
        )
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == "accreditation_application.start"
    assert actions[-1] == "accreditation_application.approve"
    assert application.decided_at > application.submitted_at > application.created_at
    # The models' own timestamps are the history's, not the moment of seeding.
    assert Proposal.objects.filter(created_at__lt=now - datetime.timedelta(days=60)).exists()


def test_seed_scale_refuses_to_run_twice_and_adds_nothing():
    _seed(20)
    users, events = User.objects.count(), AuditEvent.objects.count()

    with pytest.raises(CommandError, match="already holds seed_scale"):
        _seed(20)

    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_seed_scale_sits_beside_the_demo_data():
    call_command("seed_demo", stdout=StringIO())
    demo_users = User.objects.count()

    _seed(20)
    call_command("seed_demo", stdout=StringIO())

    assert scale_accounts().count() == User.objects.count() - demo_users


def test_seed_scale_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="not in production"):
        _seed(20)

    assert not User.objects.exists()


def test_seed_scale_refuses_too_few_researchers():
    with pytest.raises(CommandError, match="at least 20"):
        _seed(5)


def test_seed_scale_is_the_same_for_the_same_seed():
    def seeded():
        try:
            with transaction.atomic():
                _seed(20, seed=7)
                rows = (
                    list(User.objects.order_by("email").values_list("email", "full_name")),
                    list(Proposal.objects.order_by("title").values_list("title", "state")),
                )
                raise Rollback
        except Rollback:
            return rows

    assert seeded() == seeded()


# Queries seed_scale may make besides its INSERTs, whatever the size: the roles' groups, the
# departments and datasets it reads, the checks that the database is fresh, and savepoints.
QUERIES_BESIDES_INSERTS = 20


def _rows_per_table():
    return {
        model: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def _insert_statements_needed(added, batch_size):
    """The fewest INSERT statements ``bulk_create`` can write ``added`` rows in, table by table,
    on this database: one per table on PostgreSQL, more on SQLite, which caps the parameters of
    a statement (999 in Django 5.2)."""
    statements = 0
    for model, rows in added.items():
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.generated and not isinstance(f, AutoField)
        ]
        per_statement = max(connection.ops.bulk_batch_size(fields, range(rows)), 1)
        statements += math.ceil(rows / min(batch_size, per_statement))
    return statements


def _seed_counting_queries(researchers, *, batch_size):
    """Seed, then roll back; return the queries made and the INSERTs the rows needed."""
    before = _rows_per_table()
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                _seed(researchers, batch_size=batch_size)
            after = _rows_per_table()
            raise Rollback
    except Rollback:
        pass
    added = {model: after[model] - before[model] for model in after if after[model] > before[model]}
    return len(queries), _insert_statements_needed(added, batch_size), sum(added.values())


@pytest.mark.parametrize("researchers", [50, 500])
def test_seed_scale_makes_no_query_per_row(researchers):
    queries, statements, rows = _seed_counting_queries(researchers, batch_size=100_000)

    # A query for each row, or for each researcher, would add hundreds of queries at 500.
    assert rows > 10 * researchers
    assert queries <= statements + QUERIES_BESIDES_INSERTS, (
        f"{queries} queries for {rows} rows that need {statements} INSERT statements"
    )


def test_seed_scale_writes_in_batches_of_the_size_asked_for():
    queries, statements, _ = _seed_counting_queries(50, batch_size=10)

    assert statements > 100
    assert queries <= statements + QUERIES_BESIDES_INSERTS


def _bench():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_runs_every_case_against_a_seeded_database():
    bench = _bench()
    _seed(20)
    accounts = bench.people()

    results = [bench.measure(case, accounts, repeats=1) for case in bench.CASES]

    failed = [f"{r.name}: {r.problem}" for r in results if r.problem.startswith("FAILED")]
    assert not failed
    ran = {r.name for r in results if not r.problem}
    assert {"Researcher register", "Checkers' queue", "Audit list", "Reports page"} <= ran
    assert all(r.queries is not None and r.peak_mib is not None for r in results if not r.problem)
    table = bench.table(results, 1)
    assert table.splitlines()[0].startswith("| case")
    assert all(r.name in table for r in results)


def test_seed_scale_tells_people_of_the_steps_others_took():
    from notifications.models import Notification

    _seed(200)

    notifications = Notification.objects.all()
    assert notifications.filter(read_at__isnull=True).exists()
    assert notifications.filter(read_at__isnull=False).exists()
    assert not notifications.filter(read_at__gt=timezone.now()).exists()
    approved = notifications.filter(kind="accreditation_application.approve").first()
    assert approved.link == "/accreditation/"
    assert approved.recipient.accreditation_applications.get().state == "approved"
