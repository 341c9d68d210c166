"""A signed-in person downloads a copy of everything the service holds about them: a zip of JSON
and their files, prepared by the worker, theirs alone, deleted after a few days."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import AccreditationApplication
from audit.models import AuditEvent
from identity.roles import Role
from notifications.models import Notification
from outputs.models import OutputFile
from projects.models import Proposal, TeamMember
from researchers.data_export.models import DataExport
from researchers.data_export.services import (
    data_export_build,
    data_export_request,
    data_exports_expire,
)
from researchers.models import Declaration
from tests.accreditation.states import application_at
from tests.factories import UserFactory
from tests.link_following import crawl, paths
from tests.outputs.states import released_request
from tests.projects.states import proposal_at
from tests.researchers.profile_factories import (
    OrganisationFactory,
    QualificationFactory,
    ResearcherProfileFactory,
    TrainingRecordFactory,
)
from tests.researchers.states import data_export_ready, declaration_signed

pytestmark = pytest.mark.django_db

FILES = (
    "person.json",
    "qualifications.json",
    "training.json",
    "accreditation_applications.json",
    "accreditations.json",
    "declarations.json",
    "projects.json",
    "output_requests.json",
    "notifications.json",
    "audit_events.json",
    "README.txt",
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def person_with_everything(*, name, email, organisation, orcid):
    """A researcher holding one of every kind of record: a profile, a qualification and training
    with their files, a signed declaration with its PDF, an approved application and its
    accreditation, a project they co-ordinate, a released output request, notifications and the
    audit trail all of that wrote."""
    person = UserFactory(roles=[Role.RESEARCHER], full_name=name, email=email)
    ResearcherProfileFactory(
        user=person, organisation=OrganisationFactory(name=organisation), orcid=orcid
    )
    QualificationFactory(user=person, with_evidence=True, subject=f"Economics at {organisation}")
    TrainingRecordFactory(user=person, with_certificate=True)
    declaration_signed(person)
    application_at(AccreditationApplication.State.APPROVED, applicant=person)
    project = proposal_at(Proposal.State.ACTIVE, coordinator=person, title=f"Wages of {name}")
    released_request(project=project, title=f"Tables by {name}")
    # The steps' own notices go once their transactions commit, which a test's never does.
    Notification.objects.create(
        recipient=person, kind="output_request.release", subject=f"Released for {name}"
    )
    return person


def zip_of(person):
    """The zip the worker prepares for ``person``, opened."""
    export = data_export_build(export=data_export_request(person=person))
    assert export.state == DataExport.State.READY
    with export.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == export.sha256
    return zipfile.ZipFile(io.BytesIO(data))


def read_json(archive, name):
    return json.loads(archive.read(name))


@pytest.fixture
def amara():
    return person_with_everything(
        name="Amara Okafor",
        email="amara.okafor@example.ac.uk",
        organisation="University of Leeds",
        orcid="0000-0002-1825-0097",
    )


@pytest.fixture
def zebedee():
    return person_with_everything(
        name="Zebedee Quillfeather",
        email="zebedee.quillfeather@example.org",
        organisation="Quillfeather Institute",
        orcid="0000-0001-5109-3700",
    )


def test_data_export_holds_every_kind_of_record_of_a_person_who_has_each(amara):
    archive = zip_of(amara)
    names = set(archive.namelist())

    assert set(FILES) <= names
    person = read_json(archive, "person.json")
    assert person["full_name"] == "Amara Okafor"
    assert person["email"] == "amara.okafor@example.ac.uk"
    assert person["profile"]["organisation"] == "University of Leeds"
    assert person["profile"]["orcid"] == "0000-0002-1825-0097"
    assert "Researcher" in person["roles"]
    qualification = read_json(archive, "qualifications.json")[0]
    assert qualification["evidence"] in names
    training = read_json(archive, "training.json")[0]
    assert training["course"] == "Safe Researcher Training"
    assert training["certificate"] in names
    assert read_json(archive, "accreditation_applications.json")[0]["state"] == "Approved"
    assert read_json(archive, "accreditations.json")[0]["state"] == "Active"
    declaration = read_json(archive, "declarations.json")[0]
    assert declaration["signed_pdf"] in names
    projects = read_json(archive, "projects.json")
    assert [(p["title"], p["your_role"]) for p in projects["projects"]] == [
        ("Wages of Amara Okafor", "Co-ordinator")
    ]
    assert projects["projects"][0]["decisions"]
    assert any(
        invitation["email"] == amara.email and invitation["status"] == "Accepted"
        for invitation in projects["team_invitations"]
    )
    (output_request,) = read_json(archive, "output_requests.json")
    assert output_request["title"] == "Tables by Amara Okafor"
    assert output_request["state"] == "Released"
    output_files = [f for group in output_request["groups"] for f in group["files"]]
    stored = {f.pk: f.sha256 for f in OutputFile.objects.filter(group__request__author=amara)}
    assert {f["id"]: f["sha256"] for f in output_files} == stored
    for output_file in output_files:
        content = archive.read(output_file["file"])
        assert hashlib.sha256(content).hexdigest() == output_file["sha256"]
    notifications = read_json(archive, "notifications.json")
    assert len(notifications) == Notification.objects.filter(recipient=amara).count() > 0
    events = read_json(archive, "audit_events.json")
    actions = {event["action"] for event in events}
    assert {"declaration.sign", "accreditation_application.submit", "proposal.submit"} <= actions
    assert {"output_request.submit", "data_export.requested"} <= actions
    readme = archive.read("README.txt").decode()
    for name in FILES[:-1]:
        assert name in readme


def test_data_export_holds_nothing_of_another_person(amara, zebedee):
    archive = zip_of(amara)

    everything = b"".join(archive.read(name) for name in archive.namelist())
    text = everything.decode("utf-8", errors="replace")
    for words in (
        "Zebedee",
        "Quillfeather",
        zebedee.email,
        "0000-0001-5109-3700",
    ):
        assert words not in text, words
    theirs = json.dumps(
        {
            "projects": sorted(
                Proposal.objects.filter(coordinator=zebedee).values_list("pk", flat=True)
            ),
            "declarations": sorted(
                Declaration.objects.filter(user=zebedee).values_list("reference", flat=True)
            ),
        }
    )
    for reference in json.loads(theirs)["declarations"]:
        assert reference not in text
    ids = {event["id"] for event in read_json(archive, "audit_events.json")}
    assert not ids & set(AuditEvent.objects.filter(actor=zebedee).values_list("pk", flat=True))
    projects = {p["id"] for p in read_json(archive, "projects.json")["projects"]}
    assert not projects & set(json.loads(theirs)["projects"])


def test_data_export_declaration_pdf_inside_has_the_stored_sha256(amara):
    archive = zip_of(amara)

    declaration = Declaration.objects.get(user=amara, state=Declaration.State.SIGNED)
    (entry,) = read_json(archive, "declarations.json")
    pdf = archive.read(entry["signed_pdf"])
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == declaration.sha256 == entry["signed_pdf_sha256"]
    assert entry["reference"] == declaration.reference


def test_data_export_file_names_in_the_zip_are_safe(amara):
    QualificationFactory(
        user=amara,
        with_evidence=True,
        evidence_name="../../etc/passwd degree é.pdf",
    )

    archive = zip_of(amara)

    for name in archive.namelist():
        assert not name.startswith("/") and ".." not in name.split("/"), name
        assert all(part and not part.startswith(".") for part in name.split("/")), name
    assert len(read_json(archive, "qualifications.json")) == 2


def test_data_export_asked_for_on_the_page_is_prepared_and_the_person_told(
    client, sent, django_capture_on_commit_callbacks
):
    person = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(person)

    with sent.capture():
        response = client.post(reverse("researchers:data_export"), follow=True)

    assert "We are preparing a copy of your data" in response.text
    export = DataExport.objects.get(person=person)
    assert export.state == DataExport.State.READY
    assert sent.subjects == ["Your data is ready to download"]
    notification = Notification.objects.get(recipient=person, kind="data_export.finish")
    assert notification.link == reverse("researchers:data_export")
    page = client.get(reverse("researchers:data_export"))
    download = reverse("researchers:data_export_download", args=[export.pk])
    assert f'href="{download}"' in page.text
    response = client.get(download)
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/zip"
    assert hashlib.sha256(content).hexdigest() == export.sha256
    assert AuditEvent.objects.filter(
        actor=person, action="data_export.downloaded", object_id=str(export.pk)
    ).exists()


def test_data_export_asked_for_twice_while_being_prepared_is_prepared_once(client):
    person = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(person)

    client.post(reverse("researchers:data_export"))
    response = client.post(reverse("researchers:data_export"), follow=True)

    assert DataExport.objects.filter(person=person).count() == 1
    assert "We are preparing a copy of your data" in response.text
    assert "Ask for a copy of your data" not in response.text


@pytest.mark.parametrize("who", ["other_researcher", "secretariat", "anonymous"])
def test_data_export_download_refused_to_anyone_but_its_person(client, who):
    person = UserFactory(roles=[Role.RESEARCHER])
    export = data_export_ready(person)
    url = reverse("researchers:data_export_download", args=[export.pk])
    if who == "other_researcher":
        client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    elif who == "secretariat":
        client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    response = client.get(url)

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="data_export.downloaded").exists()


def test_data_export_deleted_after_its_days_and_no_longer_downloadable(
    client, settings, django_capture_on_commit_callbacks
):
    settings.DATA_EXPORT_KEEP_DAYS = 3
    person = UserFactory(roles=[Role.RESEARCHER])
    export = data_export_build(export=data_export_request(person=person))
    storage, name = export.file.storage, export.file.name
    assert export.expires_at.date() == timezone.localdate() + datetime.timedelta(days=3)
    client.force_login(person)
    url = reverse("researchers:data_export_download", args=[export.pk])

    assert data_exports_expire(now=timezone.now() + datetime.timedelta(days=2)) == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)):
        # Past its time it is not offered, even before the sweep has deleted it.
        client.force_login(person)
        assert client.get(url).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            assert data_exports_expire() == 1

    export.refresh_from_db()
    assert export.state == DataExport.State.EXPIRED
    assert not export.file
    assert not storage.exists(name)
    client.force_login(person)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="data_export.expire", object_id=str(export.pk))


def test_data_export_page_reachable_by_links_from_every_home(client):
    for user in (
        UserFactory(roles=[Role.RESEARCHER]),
        UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True),
        UserFactory(roles=[Role.SECRETARIAT], totp=True),
    ):
        assert reverse("researchers:data_export") in paths(crawl(client, user))


def test_data_export_page_says_what_the_zip_holds(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    page = client.get(reverse("researchers:data_export"))

    for name in FILES[:-1]:
        assert name in page.text


def _more_records(person, n):
    """``n`` more of each record a person may hold many of."""
    for _ in range(n):
        QualificationFactory(user=person, with_evidence=True)
        TrainingRecordFactory(user=person, with_certificate=True)
        project = proposal_at(Proposal.State.DRAFT, coordinator=person)
        TeamMember.objects.filter(proposal=project).update(accepted_at=timezone.now())
        Notification.objects.create(recipient=person, kind="test", subject="A notice")


def test_data_export_build_queries_stay_fixed_whatever_the_number_of_records(amara):
    def queries():
        export = data_export_request(person=amara)
        with CaptureQueriesContext(connection) as captured:
            data_export_build(export=export)
        return len(captured)

    small = queries()
    _more_records(amara, 4)
    assert queries() == small


def test_data_export_page_queries_stay_fixed_whatever_the_number_of_copies(client):
    person = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(person)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("researchers:data_export")).status_code == 200
        return len(captured)

    data_export_ready(person)
    one = queries()
    for _ in range(5):
        data_export_ready(person)
    assert queries() == one


def test_data_export_holds_what_others_wrote_about_the_person_in_the_audit_trail(amara, zebedee):
    # The secretariat's comments on an application are sealed under the applicant's key, in an
    # event the secretariat took about the application: the applicant's copy holds them, and
    # another applicant's copy does not.
    application_at(AccreditationApplication.State.RETURNED, applicant=amara)

    events = read_json(zip_of(amara), "audit_events.json")
    (returned,) = [
        e for e in events if e["action"] == "accreditation_application.return_to_applicant"
    ]
    assert returned["sealed"] == {"comments": "Add your training certificate."}
    assert returned["by_you"] is False
    others = read_json(zip_of(zebedee), "audit_events.json")
    assert not [e for e in others if e["action"] == "accreditation_application.return_to_applicant"]
