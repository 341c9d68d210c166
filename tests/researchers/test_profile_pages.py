import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from researchers.models import Organisation, Qualification, ResearcherProfile, TrainingRecord
from researchers.orcid import CHECKSUM_MESSAGE
from tests.factories import UserFactory
from tests.researchers.profile_factories import (
    PDF_BYTES,
    ExperienceFactory,
    OrganisationFactory,
    QualificationFactory,
    ResearcherProfileFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def researcher(client):
    user = UserFactory(roles=[Role.RESEARCHER], full_name="Amira Khan")
    client.force_login(user)
    return user


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def status_of(response):
    # A file response holds its file open until it has been read to the end.
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def stored_files():
    found = []

    def walk(path):
        directories, files = default_storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for directory in directories:
            walk(f"{path}/{directory}")

    if default_storage.exists("private"):
        walk("private")
    return found


def profile_data(**changes):
    organisation = Organisation.objects.get(name="Office for National Statistics")
    data = {
        "full_name": "Amira Khan",
        "organisation": str(organisation.pk),
        "proposed_organisation": "",
        "orcid": "https://orcid.org/0000-0002-1825-0097",
        "job_title": "Senior research officer",
        "phone": "01633 455000",
        "contact_email": "amira.khan@ons.example.gov.uk",
        "work_address": "Government Buildings, Cardiff Road, Newport",
    }
    data.update(changes)
    return data


# The profile ------------------------------------------------------------------------------


def test_profile_edit_saves_own_details_and_audits(client, researcher):
    response = client.post(reverse("researchers:profile_edit"), profile_data())

    assert response.status_code == 302
    profile = ResearcherProfile.objects.get(user=researcher)
    assert profile.orcid == "0000-0002-1825-0097"
    assert profile.organisation.name == "Office for National Statistics"
    event = AuditEvent.objects.get(action="researchers.profile_updated")
    assert event.actor == researcher
    assert "orcid" in event.payload["changed"]
    page = client.get(reverse("researchers:profile"))
    assert b"0000-0002-1825-0097" in page.content
    assert b"Senior research officer" in page.content


def test_profile_edit_invalid_orcid_shows_error_and_keeps_what_was_typed(client, researcher):
    response = client.post(
        reverse("researchers:profile_edit"),
        profile_data(orcid="0000-0002-1825-0098", job_title="Data scientist"),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert CHECKSUM_MESSAGE in content
    assert 'value="Data scientist"' in content
    assert 'value="0000-0002-1825-0098"' in content
    assert not ResearcherProfile.objects.filter(user=researcher).exists()


def test_profile_edit_needs_organisation_and_a_contact(client, researcher):
    response = client.post(
        reverse("researchers:profile_edit"),
        profile_data(organisation="", contact_email="", work_address=""),
    )

    assert response.status_code == 200
    assert "Choose your organisation" in response.content.decode()
    assert "Enter a work email address or a work address" in response.content.decode()


def test_profile_edit_proposes_a_missing_organisation_awaiting_approval(client, researcher):
    response = client.post(
        reverse("researchers:profile_edit"),
        profile_data(organisation="", proposed_organisation="  Wales Institute of  Research "),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Wales Institute of Research")
    assert organisation.status == Organisation.Status.PROPOSED
    assert organisation.proposed_by == researcher
    assert AuditEvent.objects.filter(
        action="researchers.organisation_proposed", object_id=str(organisation.pk)
    ).exists()
    page = client.get(reverse("researchers:profile"))
    assert "Awaiting approval" in page.content.decode()
    # Proposed organisations stay off the list others choose from.
    other = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(other)
    assert (
        "Wales Institute of Research"
        not in client.get(reverse("researchers:profile_edit")).content.decode()
    )


def test_profile_edit_proposing_a_listed_name_uses_the_listed_organisation(client, researcher):
    client.post(
        reverse("researchers:profile_edit"),
        profile_data(organisation="", proposed_organisation="office for national statistics"),
    )

    profile = ResearcherProfile.objects.get(user=researcher)
    assert profile.organisation.name == "Office for National Statistics"
    assert not Organisation.objects.filter(status=Organisation.Status.PROPOSED).exists()


def test_profile_pages_are_for_researchers_only(client):
    client.force_login(UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True))

    assert client.get(reverse("researchers:profile")).status_code == 403
    assert client.get(reverse("researchers:profile_edit")).status_code == 403


def test_profile_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("researchers:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Qualifications and training ------------------------------------------------------------------


def degree_data(**changes):
    data = {
        "level": "bachelor",
        "subject": "Economics with Econometrics",
        "institution": "Cardiff University",
        "classification": "lower_second",
        "quantitative": "yes",
        "evidence": SimpleUploadedFile("degree.pdf", PDF_BYTES),
    }
    data.update(changes)
    return data


def test_qualification_add_asks_what_kind_first(client, researcher):
    response = client.get(reverse("researchers:qualification_add"))

    assert response.status_code == 200
    assert "A degree" in response.content.decode()


def test_qualification_add_degree_stores_evidence_privately(client, researcher):
    response = client.post(reverse("researchers:qualification_add") + "?kind=degree", degree_data())

    assert response.status_code == 302
    qualification = Qualification.objects.get(user=researcher)
    assert qualification.classification == "lower_second"
    assert qualification.quantitative is True
    assert qualification.evidence_name == "degree.pdf"
    assert qualification.evidence.name.startswith("private/researchers/evidence/")
    assert "degree" not in qualification.evidence.name.rsplit("/", 1)[1]
    assert AuditEvent.objects.filter(action="researchers.qualification_added").count() == 1


def test_qualification_add_experience(client, researcher):
    response = client.post(
        reverse("researchers:qualification_add") + "?kind=experience",
        {"years": "4", "description": "Labour market analysis with survey microdata."},
    )

    assert response.status_code == 302
    assert Qualification.objects.get(user=researcher).years == 4


def test_qualification_add_classification_must_fit_the_level(client, researcher):
    response = client.post(
        reverse("researchers:qualification_add") + "?kind=degree",
        degree_data(level="master", classification="upper_second"),
    )

    assert response.status_code == 200
    assert "Select a result a master" in response.content.decode()
    assert not Qualification.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (EXE, "The selected file must be a PDF, PNG or JPEG"),
        (PDF_BYTES + b"0" * 2048, "The selected file must be smaller than 1.0 KB"),
    ],
)
def test_qualification_add_refuses_a_bad_upload_storing_nothing(
    client, researcher, settings, data, message
):
    settings.UPLOAD_MAX_BYTES = 1024

    response = client.post(
        reverse("researchers:qualification_add") + "?kind=degree",
        degree_data(evidence=SimpleUploadedFile("degree.pdf", data)),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert message in content
    assert 'value="Economics with Econometrics"' in content
    assert 'value="Cardiff University"' in content
    assert not Qualification.objects.exists()
    assert stored_files() == []


def test_qualification_edit_replaces_evidence_and_removes_the_old_file(
    client, researcher, django_capture_on_commit_callbacks
):
    qualification = QualificationFactory(user=researcher, with_evidence=True)
    old_name = qualification.evidence.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("researchers:qualification_edit", kwargs={"pk": qualification.pk}),
            degree_data(evidence=SimpleUploadedFile("new.pdf", PDF_BYTES)),
        )

    assert response.status_code == 302
    qualification.refresh_from_db()
    assert qualification.evidence_name == "new.pdf"
    assert not default_storage.exists(old_name)
    assert default_storage.exists(qualification.evidence.name)


def test_qualification_edit_keeps_evidence_when_no_new_file(client, researcher):
    qualification = QualificationFactory(user=researcher, with_evidence=True)
    data = degree_data(classification="first")
    del data["evidence"]

    response = client.post(
        reverse("researchers:qualification_edit", kwargs={"pk": qualification.pk}), data
    )

    assert response.status_code == 302
    qualification.refresh_from_db()
    assert qualification.classification == "first"
    assert qualification.evidence_name == "degree certificate.pdf"


def test_qualification_delete_removes_it_and_its_file(
    client, researcher, django_capture_on_commit_callbacks
):
    qualification = QualificationFactory(user=researcher, with_evidence=True)
    name = qualification.evidence.name
    url = reverse("researchers:qualification_delete", kwargs={"pk": qualification.pk})
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert not Qualification.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(action="researchers.qualification_deleted").exists()


@pytest.mark.parametrize(
    "url_name",
    ["qualification_edit", "qualification_delete"],
)
def test_qualification_of_another_researcher_is_not_found(client, researcher, url_name):
    other = QualificationFactory()

    url = reverse(f"researchers:{url_name}", kwargs={"pk": other.pk})

    assert client.get(url).status_code == 404
    assert client.post(url, degree_data()).status_code == 404
    other.refresh_from_db()
    assert other.subject == "Economics"


def test_training_add_with_certificate(client, researcher):
    response = client.post(
        reverse("researchers:training_add"),
        {
            "course": "Safe Researcher Training",
            "passed_on_day": "14",
            "passed_on_month": "3",
            "passed_on_year": "2025",
            "certificate": SimpleUploadedFile("cert.pdf", PDF_BYTES),
        },
    )

    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=researcher)
    assert record.passed_on == datetime.date(2025, 3, 14)
    assert record.certificate_name == "cert.pdf"
    assert AuditEvent.objects.filter(action="researchers.training_added").exists()


def test_training_add_bad_date_keeps_what_was_typed(client, researcher):
    response = client.post(
        reverse("researchers:training_add"),
        {
            "course": "Safe Researcher Training (refresher)",
            "passed_on_day": "31",
            "passed_on_month": "2",
            "passed_on_year": "2025",
            "certificate": SimpleUploadedFile("cert.pdf", PDF_BYTES),
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Date you passed must be a real date" in content
    assert 'value="Safe Researcher Training (refresher)"' in content
    assert 'value="31"' in content
    assert stored_files() == []


def test_training_add_in_the_future_refused(client, researcher):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    response = client.post(
        reverse("researchers:training_add"),
        {
            "course": "Safe Researcher Training",
            "passed_on_day": str(tomorrow.day),
            "passed_on_month": str(tomorrow.month),
            "passed_on_year": str(tomorrow.year),
            "certificate": SimpleUploadedFile("cert.pdf", PDF_BYTES),
        },
    )

    assert response.status_code == 200
    assert "must be today or in the past" in response.content.decode()


def test_training_of_another_researcher_is_not_found(client, researcher):
    other = TrainingRecordFactory()

    for url_name in ("training_edit", "training_delete"):
        url = reverse(f"researchers:{url_name}", kwargs={"pk": other.pk})
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert TrainingRecord.objects.filter(pk=other.pk).exists()


# Downloads ---------------------------------------------------------------------------------


@pytest.fixture
def evidence():
    return QualificationFactory(with_evidence=True)


def _evidence_url(qualification):
    return reverse("researchers:evidence_download", kwargs={"pk": qualification.pk})


def test_evidence_download_by_its_researcher(client, evidence):
    client.force_login(evidence.user)

    response = client.get(_evidence_url(evidence))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="degree certificate.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_evidence_download_by_the_secretariat(client, secretariat, evidence):
    assert status_of(client.get(_evidence_url(evidence))) == 200


@pytest.mark.parametrize("roles", [[Role.RESEARCHER], [Role.OUTPUT_CHECKER]])
def test_evidence_download_by_anyone_else_is_not_found(client, evidence, roles):
    client.force_login(UserFactory(roles=roles, totp=Role.OUTPUT_CHECKER in roles))

    assert client.get(_evidence_url(evidence)).status_code == 404


def test_evidence_download_anonymous_is_asked_to_sign_in(client, evidence):
    response = client.get(_evidence_url(evidence))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_certificate_download_by_owner_secretariat_not_others(client):
    record = TrainingRecordFactory(with_certificate=True)
    url = reverse("researchers:certificate_download", kwargs={"pk": record.pk})

    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert client.get(url).status_code == 404
    client.force_login(record.user)
    assert status_of(client.get(url)) == 200
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))
    assert status_of(client.get(url)) == 200


# The secretariat's view --------------------------------------------------------------------


def test_secretariat_views_any_profile_read_only(client, secretariat):
    profile = ResearcherProfileFactory(orcid="0000-0002-1825-0097")
    QualificationFactory(user=profile.user, with_evidence=True)

    response = client.get(reverse("researchers:person_profile", kwargs={"pk": profile.user.pk}))

    assert response.status_code == 200
    content = response.content.decode()
    assert "0000-0002-1825-0097" in content
    assert "Download degree certificate.pdf" in content
    assert reverse("researchers:profile_edit") not in content
    assert "Change" not in content


def test_researcher_cannot_view_another_profile(client, researcher):
    other = ResearcherProfileFactory()

    url = reverse("researchers:person_profile", kwargs={"pk": other.user.pk})

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("count", [1, 20])
def test_profile_page_query_count_does_not_grow_with_qualifications(
    client, researcher, django_assert_max_num_queries, count
):
    ResearcherProfileFactory(user=researcher)
    for _ in range(count):
        QualificationFactory(user=researcher, with_evidence=True)
        ExperienceFactory(user=researcher)
        TrainingRecordFactory(user=researcher, with_certificate=True)

    # Session, user, their roles, their unread notifications; the owner with profile and
    # organisation, qualifications, training records.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("researchers:profile"))

    assert response.status_code == 200
    assert response.content.decode().count("Download degree certificate.pdf") == count


@pytest.mark.parametrize("count", [1, 20])
def test_person_profile_query_count_does_not_grow_with_qualifications(
    client, secretariat, django_assert_max_num_queries, count
):
    profile = ResearcherProfileFactory()
    for _ in range(count):
        QualificationFactory(user=profile.user, with_evidence=True)
        TrainingRecordFactory(user=profile.user, with_certificate=True)

    # As for the researcher's own page, plus the staff two-factor and declaration checks.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("researchers:person_profile", kwargs={"pk": profile.user.pk}))

    assert response.status_code == 200


# Organisations ------------------------------------------------------------------------------


def test_organisation_list_shows_awaiting_and_listed(client, secretariat):
    OrganisationFactory(name="Northern Data Lab", status=Organisation.Status.PROPOSED)

    response = client.get(reverse("researchers:organisation_list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Northern Data Lab" in content
    assert "Institute for Fiscal Studies" in content


def test_organisation_add_by_secretariat_audited(client, secretariat):
    response = client.post(reverse("researchers:organisation_list"), {"name": "Nuffield Trust"})

    assert response.status_code == 302
    assert Organisation.objects.get(name="Nuffield Trust").status == Organisation.Status.APPROVED
    assert AuditEvent.objects.filter(
        action="researchers.organisation_created", actor=secretariat
    ).exists()


def test_organisation_add_duplicate_name_shows_error(client, secretariat):
    response = client.post(
        reverse("researchers:organisation_list"), {"name": "university of oxford"}
    )

    assert response.status_code == 200
    assert "already listed" in response.content.decode()


def _review(client, organisation, **data):
    return client.post(
        reverse("researchers:organisation_review", kwargs={"pk": organisation.pk}), data
    )


def test_organisation_approve_with_corrected_name_audited(client, secretariat):
    proposed = OrganisationFactory(name="Wales Inst. of Research", status="proposed")

    response = _review(client, proposed, decision="approve", name="Wales Institute of Research")

    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Organisation.Status.APPROVED
    assert proposed.name == "Wales Institute of Research"
    event = AuditEvent.objects.get(action="researchers.organisation_approved")
    assert (event.actor, event.from_state, event.to_state) == (secretariat, "proposed", "approved")
    assert event.payload["proposed_name"] == "Wales Inst. of Research"


def test_organisation_merge_moves_researchers_to_the_listed_one(client, secretariat):
    proposed = OrganisationFactory(name="LSE", status="proposed")
    profile = ResearcherProfileFactory(organisation=proposed)
    lse = Organisation.objects.get(name="London School of Economics and Political Science")

    response = _review(client, proposed, decision="merge", into=str(lse.pk))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.organisation == lse
    proposed.refresh_from_db()
    assert (proposed.status, proposed.merged_into) == (Organisation.Status.MERGED, lse)
    assert (
        AuditEvent.objects.get(action="researchers.organisation_merged").payload["profiles_moved"]
        == 1
    )


def test_organisation_reject_needs_a_reason_and_clears_profiles(client, secretariat):
    proposed = OrganisationFactory(name="Not A Real Body", status="proposed")
    profile = ResearcherProfileFactory(organisation=proposed)

    response = _review(client, proposed, decision="reject", reason="")
    assert response.status_code == 200
    assert "Enter the reason for rejecting it" in response.content.decode()

    response = _review(client, proposed, decision="reject", reason="Not a research body")
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.organisation is None
    assert AuditEvent.objects.filter(action="researchers.organisation_rejected").exists()


def test_organisation_decided_twice_changes_nothing(client, secretariat):
    proposed = OrganisationFactory(name="Twice Decided", status="proposed")
    _review(client, proposed, decision="approve", name="Twice Decided")

    response = _review(client, proposed, decision="reject", reason="Changed my mind")

    assert response.status_code == 200
    proposed.refresh_from_db()
    assert proposed.status == Organisation.Status.APPROVED
    assert AuditEvent.objects.filter(action__startswith="researchers.organisation_").count() == 1


def test_organisation_pages_for_the_secretariat_only(client, researcher):
    proposed = OrganisationFactory(name="Hidden", status="proposed")

    assert client.get(reverse("researchers:organisation_list")).status_code == 403
    assert (
        client.get(
            reverse("researchers:organisation_review", kwargs={"pk": proposed.pk})
        ).status_code
        == 403
    )


def test_profile_page_shows_where_the_researcher_stands_against_the_criteria(client, researcher):
    ResearcherProfileFactory(user=researcher)
    QualificationFactory(user=researcher, classification="third")

    content = client.get(reverse("researchers:profile")).content.decode()

    checks = content.split("Against the criteria")[1].split("</dl>")[0]
    assert checks.count("Yes") == 1  # the profile is complete; a third does not qualify
    assert checks.count("Not yet") == 2
