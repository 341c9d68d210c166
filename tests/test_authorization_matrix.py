"""Every URL of the project, requested as every role, answers as this matrix says.

A URL pattern missing from the matrix fails the test, so each new page states who may open it.
Run with ``AUTH_MATRIX_SHOW=1`` to print what each URL answers today, when adding rows.
"""

import datetime
import hashlib
import os
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse, reverse_lazy

from accreditation.models import Level
from audit.services import audit_record
from entitlements.services import api_token_create
from entitlements.webhooks.services import webhook_endpoint_create
from identity.roles import Role
from legislation.models import Act, Dataset
from notifications.models import Notification
from projects.models import DataOwnerRepresentative, Proposal
from projects.panel.services import conflict_declare, reviewer_assign
from retention.erasure.services import erasure_request_create
from retention.models import DestructionCertificate
from retention.services import legal_hold_place
from tests.accreditation.factories import AccreditationApplicationFactory, AccreditationFactory
from tests.factories import UserFactory, passkey_add
from tests.legislation.factories import DatasetFactory
from tests.outputs.states import submitted_request
from tests.projects.factories import ProposalFactory, TeamMemberFactory
from tests.projects.states import proposal_at
from tests.reports.helpers import export_ready
from tests.researchers.profile_factories import (
    OrganisationFactory,
    QualificationFactory,
    TrainingRecordFactory,
)
from tests.researchers.states import data_export_ready, declaration_signed

ROLES = (
    "anonymous",
    "researcher",
    "other_researcher",
    "reviewer",
    "checker",
    "data_owner",
    "secretariat",
)
SIGNED_IN = ROLES[1:]
STAFF = ("reviewer", "checker", "data_owner", "secretariat")

# Outcomes, as a user sees them.
OK = "200"
LOGIN = "login"  # sent to the sign-in page, coming back afterwards
ADMIN_LOGIN = "admin login"  # the Django admin's own sign-in page (operators only)
FORBIDDEN = "403"
NOT_FOUND = "404"
HOME = "dashboard"  # already signed in: sent on to the dashboard
BAD_REQUEST = "400"


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def public():
    return everyone(OK)


def signed_in():
    return {"anonymous": LOGIN, **SIGNED_IN_OK}


def only(*roles):
    return {
        "anonymous": LOGIN,
        **{role: OK if role in roles else FORBIDDEN for role in SIGNED_IN},
    }


def redirect_to(url_name):
    return f"redirect to {reverse(url_name)}"


def signed_out_only():
    """Pages for signing in or up: a signed-in user is sent on to the dashboard."""
    return {"anonymous": OK, **dict.fromkeys(SIGNED_IN, HOME)}


SIGNED_IN_OK = dict.fromkeys(SIGNED_IN, OK)
NOTIFICATION_LINK = "/accreditation/"
REAUTHENTICATE = f"redirect to {reverse_lazy('account_reauthenticate')}"


def by_factor(without_authenticator, with_totp):
    return {
        "anonymous": LOGIN,
        "researcher": without_authenticator,
        "other_researcher": without_authenticator,
        **dict.fromkeys(STAFF, with_totp),
    }


def own_researcher_item():
    """A researcher's own record: another researcher is told it does not exist."""
    return {**only("researcher", "other_researcher"), "other_researcher": NOT_FOUND}


def owner_and_secretariat_file():
    """A researcher's file: theirs and the secretariat's to read, not found by anyone else."""
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(SIGNED_IN, NOT_FOUND),
        "researcher": OK,
        "secretariat": OK,
    }


def coordinator_only(secretariat=FORBIDDEN):
    """A proposal's own page: the co-ordinator's, refused to the secretariat, not found by
    anyone else."""
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(SIGNED_IN, NOT_FOUND),
        "researcher": OK,
        "secretariat": secretariat,
    }


@dataclass
class Row:
    expected: dict
    kwargs: object = field(default=lambda world: {})


def REVIEW_PAGE(world):
    url = reverse("outputs:review", kwargs={"pk": world.submitted_output_request.pk})
    return f"redirect to {url}"


MATRIX = {
    # The service
    "dashboard:start": Row(public()),
    "dashboard:accessibility": Row(public()),
    "dashboard:privacy": Row(public()),
    "dashboard:cookies": Row(public()),
    "dashboard:home": Row(signed_in()),
    # Accounts (django-allauth)
    "account_login": Row(signed_out_only()),
    "account_logout": Row({"anonymous": redirect_to("dashboard:start"), **SIGNED_IN_OK}),
    "account_inactive": Row(public()),
    "account_signup": Row(signed_out_only()),
    "account_reauthenticate": Row(signed_in()),
    "account_email": Row(signed_in()),
    "account_email_verification_sent": Row(public()),
    "account_change_password": Row(signed_in()),
    # Everyone here has a password already, so setting one means changing it.
    "account_set_password": Row(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, redirect_to("account_change_password"))}
    ),
    "account_reset_password": Row(public()),
    "account_confirm_login_code": Row({"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, HOME)}),
    "account_confirm_email": Row(public(), lambda world: {"key": "no-such-key"}),
    "account_reset_password_from_key_done": Row(public()),
    "account_reset_password_from_key": Row(
        public(), lambda world: {"uidb36": "zz", "key": "no-such-key"}
    ),
    "account_reset_password_done": Row(public()),
    # Two-factor pages: changing a factor asks for the password again first. Researchers have no
    # authenticator in this world, staff have TOTP.
    "mfa_index": Row(signed_in()),
    "mfa_authenticate": Row({"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, HOME)}),
    "mfa_reauthenticate": Row(by_factor(REAUTHENTICATE, OK)),
    "mfa_activate_totp": Row(by_factor(REAUTHENTICATE, REAUTHENTICATE)),
    "mfa_deactivate_totp": Row(by_factor(NOT_FOUND, REAUTHENTICATE)),
    "mfa_view_recovery_codes": Row(by_factor(NOT_FOUND, REAUTHENTICATE)),
    "mfa_generate_recovery_codes": Row(by_factor(REAUTHENTICATE, REAUTHENTICATE)),
    "mfa_download_recovery_codes": Row(by_factor(NOT_FOUND, REAUTHENTICATE)),
    # Passkeys: the list is one's own; adding, renaming and removing ask again first (before
    # even looking the passkey up, so someone else's passkey is no different); confirming with
    # a passkey falls back to the password for anyone who has none; signing in with one is for
    # the browser's script, so a page visit goes back to the sign-in page.
    "mfa_list_webauthn": Row(signed_in()),
    "mfa_add_webauthn": Row(by_factor(REAUTHENTICATE, REAUTHENTICATE)),
    "mfa_edit_webauthn": Row(
        by_factor(REAUTHENTICATE, REAUTHENTICATE), lambda world: {"pk": world.passkey.pk}
    ),
    "mfa_remove_webauthn": Row(
        by_factor(REAUTHENTICATE, REAUTHENTICATE), lambda world: {"pk": world.passkey.pk}
    ),
    "mfa_reauthenticate_webauthn": Row(by_factor(REAUTHENTICATE, REAUTHENTICATE)),
    "mfa_login_webauthn": Row({"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, HOME)}),
    # People and roles
    "researchers:people_list": Row(only("secretariat")),
    "researchers:person_detail": Row(
        only("secretariat"), lambda world: {"pk": world.researcher.pk}
    ),
    "researchers:person_roles": Row(only("secretariat"), lambda world: {"pk": world.researcher.pk}),
    # Audit trail
    "audit:event_list": Row(only("secretariat")),
    "audit:event_detail": Row(only("secretariat"), lambda world: {"pk": world.audit_event.pk}),
    "audit:event_export": Row(only("secretariat")),
    # The secretariat's accreditation reports, their CSV and PDF exports
    "reports:report": Row(only("secretariat")),
    "reports:organisation_list": Row(only("secretariat")),
    "reports:report_csv": Row(only("secretariat")),
    "reports:export_list": Row(only("secretariat")),
    **{
        f"reports:{name}": Row(only("secretariat"), lambda world: {"pk": world.report_export.pk})
        for name in ("export_detail", "export_status", "export_download")
    },
    # A person's own notifications: anyone signed in has a list; opening someone else's
    # notification finds nothing, and opening one's own goes to the page it is about.
    "notifications:notification_list": Row(signed_in()),
    "notifications:notification_open": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, NOT_FOUND),
            "researcher": f"redirect to {NOTIFICATION_LINK}",
        },
        lambda world: {"pk": world.notification.pk},
    ),
    "notifications:mark_all_read": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, redirect_to("notifications:notification_list")),
        }
    ),
    # Health
    # The API: machine clients with a token; a person's browser session carries no token's
    # scope. Its description is public.
    "api:entitlement_list": Row({"anonymous": "401", **dict.fromkeys(SIGNED_IN, FORBIDDEN)}),
    "api:passport": Row({"anonymous": "401", **dict.fromkeys(SIGNED_IN, FORBIDDEN)}),
    "jwks": Row(public()),
    # A person's own records, read with their browser session.
    "api:me": Row({"anonymous": FORBIDDEN, **dict.fromkeys(SIGNED_IN, OK)}),
    "api:my_passport": Row({"anonymous": FORBIDDEN, **dict.fromkeys(SIGNED_IN, OK)}),
    **{
        f"api:{name}": Row({"anonymous": "401", **dict.fromkeys(SIGNED_IN, FORBIDDEN)})
        for name in ("researcher_register", "project_register")
    },
    "api:schema": Row(public()),
    "entitlements:token_list": Row(only("secretariat")),
    "entitlements:token_revoke": Row(only("secretariat"), lambda world: {"pk": world.api_token.pk}),
    "entitlements:webhook_list": Row(only("secretariat")),
    "entitlements:webhook_deactivate": Row(
        only("secretariat"), lambda world: {"pk": world.webhook_endpoint.pk}
    ),
    "entitlements:webhook_deliveries": Row(only("secretariat")),
    "api:docs": Row(public()),
    # Retention and destruction: the secretariat's alone.
    "retention:schedule": Row(only("secretariat")),
    "retention:schedule_version": Row(only("secretariat"), lambda world: {"pk": 1}),
    "retention:rule_edit": Row(only("secretariat"), lambda world: {"kind": "notification_read"}),
    "retention:schedule_confirm": Row(only("secretariat")),
    "retention:hold_list": Row(only("secretariat")),
    "retention:hold_lift": Row(only("secretariat"), lambda world: {"pk": world.legal_hold.pk}),
    "retention:certificate_list": Row(only("secretariat")),
    # Erasure: any signed-in person asks for their own; the secretariat decides.
    "retention:erasure_request": Row(signed_in()),
    "retention:erasure_withdraw": Row(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, redirect_to("retention:erasure_request"))},
        lambda world: {"pk": world.erasure_request.pk},
    ),
    "retention:erasure_queue": Row(only("secretariat")),
    "retention:erasure_decide": Row(
        only("secretariat"), lambda world: {"pk": world.erasure_request.pk}
    ),
    **{
        f"retention:{name}": Row(
            only("secretariat"), lambda world: {"pk": world.destruction_certificate.pk}
        )
        for name in ("certificate_detail", "certificate_download")
    },
    "health:live": Row(public()),
    "health:status": Row(only("secretariat")),
    # Legislation and datasets: public to read, the secretariat edits
    "legislation:act_list": Row(public()),
    "legislation:act_detail": Row(public(), lambda world: {"slug": world.act.slug}),
    "legislation:act_create": Row(only("secretariat")),
    "legislation:act_edit": Row(only("secretariat"), lambda world: {"slug": world.act.slug}),
    "legislation:dataset_list": Row(public()),
    "legislation:dataset_detail": Row(public(), lambda world: {"slug": world.dataset.slug}),
    "legislation:dataset_create": Row(only("secretariat")),
    "legislation:dataset_edit": Row(
        only("secretariat"), lambda world: {"slug": world.dataset.slug}
    ),
    # Researcher profiles: researchers keep their own, the secretariat reads any
    "researchers:person_profile": Row(
        only("secretariat"), lambda world: {"pk": world.researcher.pk}
    ),
    "researchers:profile": Row(only("researcher", "other_researcher")),
    "researchers:profile_edit": Row(only("researcher", "other_researcher")),
    "researchers:qualification_add": Row(only("researcher", "other_researcher")),
    "researchers:qualification_edit": Row(
        own_researcher_item(), lambda world: {"pk": world.qualification.pk}
    ),
    "researchers:qualification_delete": Row(
        own_researcher_item(), lambda world: {"pk": world.qualification.pk}
    ),
    "researchers:evidence_download": Row(
        owner_and_secretariat_file(), lambda world: {"pk": world.qualification.pk}
    ),
    "researchers:training_add": Row(only("researcher", "other_researcher")),
    "researchers:training_edit": Row(
        own_researcher_item(), lambda world: {"pk": world.training_record.pk}
    ),
    "researchers:training_delete": Row(
        own_researcher_item(), lambda world: {"pk": world.training_record.pk}
    ),
    "researchers:certificate_download": Row(
        owner_and_secretariat_file(), lambda world: {"pk": world.training_record.pk}
    ),
    "researchers:organisation_list": Row(only("secretariat")),
    "researchers:organisation_review": Row(
        only("secretariat"), lambda world: {"pk": world.proposed_organisation.pk}
    ),
    # Confidentiality declarations: everyone given access signs (researchers and every staff
    # role), the secretariat publishes new wordings, anyone checks a signed declaration
    "researchers:declaration": Row(signed_in()),
    "researchers:declaration_status": Row(signed_in()),
    "researchers:declaration_download": Row(
        owner_and_secretariat_file(), lambda world: {"pk": world.declaration.pk}
    ),
    # A person's copy of their data: every signed-in person asks for their own; only they
    # download it, anyone else (the secretariat included) is told it does not exist
    "researchers:data_export": Row(signed_in()),
    "researchers:data_export_download": Row(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, NOT_FOUND), "researcher": OK},
        lambda world: {"pk": world.data_export.pk},
    ),
    "researchers:declaration_versions": Row(only("secretariat")),
    "researchers:declaration_sign_by": Row(only("secretariat")),
    "researchers:declaration_verify": Row(public()),
    # The register of accredited researchers: public, to read and to download
    "researcher_register:list": Row(public()),
    "researcher_register:csv": Row(public()),
    # The register of accredited projects: public, to read and to download
    "project_register:list": Row(public()),
    "project_register:csv": Row(public()),
    # Accreditation: applicants see only their own application (the URLs name no other), the
    # named supervisor alone answers a supervision request, the secretariat screens and decides.
    "accreditation:application_detail": Row(signed_in()),
    "accreditation:application_start": Row(signed_in()),
    "accreditation:application_renew": Row(signed_in()),
    # With no application in progress these pages send the user back to their application page.
    "accreditation:application_edit": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, redirect_to("accreditation:application_detail")),
        }
    ),
    "accreditation:application_submit": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, redirect_to("accreditation:application_detail")),
        }
    ),
    "accreditation:application_withdraw": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, redirect_to("accreditation:application_detail")),
        }
    ),
    "accreditation:supervision": Row(
        only("researcher"), lambda world: {"pk": world.supervised_application.pk}
    ),
    "accreditation:queue": Row(only("secretariat")),
    "accreditation:screen": Row(
        only("secretariat"), lambda world: {"pk": world.supervised_application.pk}
    ),
    "accreditation:accreditation_detail": Row(
        only("secretariat"), lambda world: {"pk": world.accreditation.pk}
    ),
    # Project proposals: each person lists their own; the co-ordinator writes, sends and
    # withdraws; the team and the secretariat read; an invitation is for its invitee alone.
    "projects:proposal_list": Row(signed_in()),
    "projects:proposal_start": Row(only("researcher", "other_researcher")),
    "projects:proposal_detail": Row(
        coordinator_only(secretariat=OK), lambda world: {"pk": world.proposal.pk}
    ),
    "projects:proposal_section": Row(
        coordinator_only(), lambda world: {"pk": world.proposal.pk, "section": "title"}
    ),
    "projects:proposal_check": Row(coordinator_only(), lambda world: {"pk": world.proposal.pk}),
    "projects:proposal_withdraw": Row(coordinator_only(), lambda world: {"pk": world.proposal.pk}),
    "projects:proposal_dpia": Row(
        coordinator_only(secretariat=OK), lambda world: {"pk": world.proposal.pk}
    ),
    # After approval the co-ordinator activates, closes and amends the project; the team and
    # the secretariat compare its versions.
    "projects:activate": Row(coordinator_only(), lambda world: {"pk": world.proposal.pk}),
    "projects:schedule_start": Row(coordinator_only(), lambda world: {"pk": world.proposal.pk}),
    "projects:close": Row(coordinator_only(), lambda world: {"pk": world.proposal.pk}),
    "projects:amend": Row(coordinator_only(), lambda world: {"pk": world.proposal.pk}),
    "projects:versions": Row(
        coordinator_only(secretariat=OK), lambda world: {"pk": world.proposal.pk}
    ),
    "projects:team_invitation": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, NOT_FOUND),
            "other_researcher": OK,
        },
        lambda world: {"token": world.invitation.token},
    ),
    # Screening and consent: the secretariat lists, screens and says who represents each
    # department; a data owner answers only for proposals requesting their departments' data.
    "projects:secretariat_list": Row(only("secretariat")),
    "projects:screen": Row(only("secretariat"), lambda world: {"pk": world.proposal.pk}),
    "projects:representatives": Row(only("secretariat")),
    "projects:consent_queue": Row(only("data_owner")),
    "projects:consent": Row(only("data_owner"), lambda world: {"pk": world.consent_proposal.pk}),
    # The panel: the secretariat runs it; a reviewer opens only a proposal assigned to them,
    # and anyone else, the secretariat included, is told it does not exist.
    "projects:panel": Row(only("secretariat"), lambda world: {"pk": world.panel_proposal.pk}),
    "projects:reviewer_queue": Row(only("reviewer")),
    "projects:review": Row(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, NOT_FOUND), "reviewer": OK},
        lambda world: {"pk": world.panel_proposal.pk},
    ),
    # Output checking: only output checkers, and never on their own projects (a 404 there,
    # proved in tests/outputs/test_review_pages.py).
    "outputs:queue": Row(only("checker")),
    "outputs:checking_by_eye": Row(signed_in()),
    "outputs:review": Row(only("checker"), lambda world: {"pk": world.submitted_output_request.pk}),
    # Each step on the review page posts to an address of its own; opened (a reload, a
    # bookmark) it sends the checkers the page opens for back to the page.
    **{
        f"outputs:{name}": Row(
            {**only("checker"), "checker": REVIEW_PAGE},
            lambda world: {"pk": world.submitted_output_request.pk},
        )
        for name in (
            "review_submit",
            "output_request_approve",
            "output_request_return",
            "output_request_reject",
        )
    },
    "outputs:review_group": Row(
        {**only("checker"), "checker": REVIEW_PAGE},
        lambda world: {
            "pk": world.submitted_output_request.pk,
            "group_pk": world.submitted_output_request.groups.first().pk,
        },
    ),
    # Output requests: the project's members list and start them; the author writes, sends and
    # withdraws; before release a file is read only through its permission-checked page.
    "outputs:output_request_list": Row(
        coordinator_only(secretariat=NOT_FOUND),
        lambda world: {"project_pk": world.output_project.pk},
    ),
    "outputs:output_request_create": Row(
        coordinator_only(secretariat=NOT_FOUND),
        lambda world: {"project_pk": world.output_project.pk},
    ),
    **{
        f"outputs:{name}": Row(
            coordinator_only(secretariat=NOT_FOUND),
            lambda world: {"pk": world.draft_output_file.group.request_id},
        )
        for name in (
            "output_request_detail",
            "group_add",
            "output_request_submit",
            "output_request_withdraw",
        )
    },
    **{
        f"outputs:{name}": Row(
            coordinator_only(secretariat=NOT_FOUND),
            lambda world: {
                "pk": world.draft_output_file.group.request_id,
                "group_pk": world.draft_output_file.group_id,
            },
        )
        for name in ("group_edit", "file_add")
    },
    **{
        f"outputs:{name}": Row(
            coordinator_only(secretariat=NOT_FOUND),
            lambda world: {"file_pk": world.draft_output_file.pk},
        )
        for name in ("file_replace", "file_remove", "file_download")
    },
    # Automated checks: a file's table with flagged cells for its author and checkers not on
    # the project once sent; the ACRO folder upload for the request's author only.
    "outputs:file_checks": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, NOT_FOUND),
            "researcher": OK,
            "checker": OK,
        },
        lambda world: {"file_pk": world.checked_output_file.pk},
    ),
    "outputs:acro_upload": Row(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, NOT_FOUND), "researcher": OK},
        lambda world: {"pk": world.acro_group.request_id, "group_pk": world.acro_group.pk},
    ),
    # Release: a checker not on the project releases; afterwards only the project's members
    # download and record publications (anyone else is told nothing: 404); the secretariat
    # also sees the list, and alone may waive publication.
    "outputs:release": Row(only("checker"), lambda world: {"pk": world.approved_output_request.pk}),
    **{
        f"outputs:{name}": Row(
            {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, NOT_FOUND), "researcher": OK},
            lambda world: {"pk": world.released_output_file.group.request_id},
        )
        for name in ("released_zip", "release_record_json", "release_record_jws")
    },
    # Anyone holding a release record may check it.
    "outputs:release_record_verify": Row(public()),
    **{
        f"outputs:{name}": Row(
            {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, NOT_FOUND), "researcher": OK},
            lambda world: {"file_pk": world.released_output_file.pk},
        )
        for name in ("released_file", "publication")
    },
    "outputs:project_outputs": Row(
        {
            "anonymous": LOGIN,
            **dict.fromkeys(SIGNED_IN, NOT_FOUND),
            "researcher": OK,
            "secretariat": OK,
        },
        lambda world: {"project_pk": world.released_output_file.group.request.project_id},
    ),
    "outputs:waiver": Row(
        only("secretariat"),
        lambda world: {"project_pk": world.released_output_file.group.request.project_id},
    ),
}


def url_patterns(resolver=None, prefix="", namespace=None):
    """(key, pattern) for every URL pattern: its namespaced name, or its route when unnamed."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = route
            yield key, route, pattern


def checks_world(researcher):
    """A sent request by ``researcher`` with a checked table, and a draft's group for ACRO."""
    from outputs.check.services import file_checks_run
    from outputs.models import FileGroup, OutputFile, OutputType
    from outputs.request.services import output_request_submit
    from tests.outputs.factories import OutputRequestFactory

    project = proposal_at(Proposal.State.ACTIVE, coordinator=researcher)
    groups = [
        FileGroup.objects.create(
            request=OutputRequestFactory(project=project),
            name="Tables",
            context="Counts by region.",
            disclosure_controls="None.",
        )
        for _ in range(2)
    ]
    content = b"region,n\nNorth,4\n"
    digest = hashlib.sha256(content).hexdigest()
    output_file = OutputFile(
        group=groups[0],
        name="table.csv",
        output_type=OutputType.FREQUENCY_TABLE,
        sha256=digest,
        size=len(content),
        content_type="text/csv",
        uploaded_by=researcher,
    )
    output_file.file.save(digest, ContentFile(content), save=False)
    output_file.save()
    # What the worker does once the upload commits; then the first request is sent.
    file_checks_run(file=output_file)
    output_request_submit(output_request=groups[0].request, by=researcher)
    return {"checked_output_file": output_file, "acro_group": groups[1]}


def draft_output_world(researcher):
    """An active project of ``researcher``'s with their draft output request and its file."""
    from tests.outputs.factories import OutputFileFactory

    project = proposal_at(Proposal.State.ACTIVE, coordinator=researcher)
    return {
        "output_project": project,
        "draft_output_file": OutputFileFactory(group__request__project=project),
    }


def release_world(researcher):
    """An approved request, and a released one with a file, in projects ``researcher`` runs."""
    from tests.outputs.states import approved_request, current_files, released_request

    released = released_request(project=proposal_at(Proposal.State.ACTIVE, coordinator=researcher))
    return {
        "approved_output_request": approved_request(
            project=proposal_at(Proposal.State.ACTIVE, coordinator=researcher)
        ),
        "released_output_file": current_files(released)[0],
    }


@pytest.fixture
def world(db, settings, tmp_path):
    """One user per role, plus whatever objects the URLs' arguments name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    users = {
        "researcher": UserFactory(roles=[Role.RESEARCHER]),
        "other_researcher": UserFactory(roles=[Role.RESEARCHER]),
        "reviewer": UserFactory(roles=[Role.PANEL_REVIEWER], totp=True),
        "checker": UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True),
        "data_owner": UserFactory(roles=[Role.DATA_OWNER], totp=True),
        "secretariat": UserFactory(roles=[Role.SECRETARIAT], totp=True),
    }
    with transaction.atomic():
        audit_event = audit_record(actor=users["secretariat"], action="matrix.example")
    proposal = ProposalFactory(coordinator=users["researcher"], dpia_needed=True)
    proposal.dpia_file.save("dpia.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    consent_dataset = DatasetFactory(consent_required=True)
    DataOwnerRepresentative.objects.create(
        user=users["data_owner"], department=consent_dataset.department
    )
    consent_proposal = proposal_at(Proposal.State.DATA_OWNER_REVIEW, datasets=[consent_dataset])
    panel_proposal = proposal_at(Proposal.State.PANEL_REVIEW)
    reviewer_assign(proposal=panel_proposal, reviewer=users["reviewer"], by=users["secretariat"])
    world = SimpleNamespace(
        users=users,
        panel_proposal=panel_proposal,
        **draft_output_world(users["researcher"]),
        **checks_world(users["researcher"]),
        **release_world(users["researcher"]),
        submitted_output_request=submitted_request(),
        **users,
        audit_event=audit_event,
        report_export=export_ready(by=users["secretariat"]),
        notification=Notification.objects.create(
            recipient=users["researcher"],
            kind="accreditation_application.return_to_applicant",
            subject="Your accreditation application needs changes",
            link=NOTIFICATION_LINK,
        ),
        consent_proposal=consent_proposal,
        act=Act.objects.order_by("pk").first(),
        dataset=Dataset.objects.order_by("pk").first(),
        qualification=QualificationFactory(user=users["researcher"], with_evidence=True),
        training_record=TrainingRecordFactory(user=users["researcher"], with_certificate=True),
        proposed_organisation=OrganisationFactory(
            name="Proposed Research Body", status="proposed", proposed_by=users["researcher"]
        ),
        declaration=declaration_signed(users["researcher"]),
        data_export=data_export_ready(users["researcher"]),
        supervised_application=AccreditationApplicationFactory(
            applicant=UserFactory(roles=[Role.RESEARCHER]),
            kind=Level.PROVISIONAL,
            supervisor=users["researcher"],
        ),
        accreditation=AccreditationFactory(),
        api_token=api_token_create(account_name="Secure environment", scopes=["entitlements:read"])[
            0
        ],
        webhook_endpoint=webhook_endpoint_create(
            url="https://sre.example.org/hooks", description="Secure environment", by=None
        )[0],
        # Someone else's passkey: no role's user has one.
        passkey=passkey_add(UserFactory(roles=[Role.RESEARCHER])),
        proposal=proposal,
        invitation=TeamMemberFactory(
            proposal=proposal,
            user=None,
            email=users["other_researcher"].email,
            accepted_at=None,
        ),
    )
    world.legal_hold = legal_hold_place(
        kind="notification_read",
        identifier=str(world.notification.pk),
        reason="Subject access request",
        by=users["secretariat"],
    )
    world.erasure_request = erasure_request_create(person=users["researcher"])
    world.destruction_certificate = DestructionCertificate.objects.create(
        run_on=datetime.date(2027, 1, 1), schedule_id=1, kinds=[]
    )
    # The researcher set up an authenticator app to start their projects, and has turned it
    # off since, as anyone may: the matrix's researcher is one without a second factor.
    Authenticator.objects.filter(user=users["researcher"]).delete()
    return world


def outcome_of(response):
    if response.streaming:
        # Read to the end, which closes any file the response holds open.
        b"".join(response.streaming_content)
    if response.status_code in (301, 302):
        location = urlsplit(response["Location"]).path
        if location == reverse("account_login"):
            return LOGIN
        if location == reverse("admin:login"):
            return ADMIN_LOGIN
        if location == reverse("dashboard:home"):
            return HOME
        return f"redirect to {location}"
    return str(response.status_code)


ADMIN_ARGUMENTS = {
    "app_label": "auth",
    "object_id": "1",
    "id": "1",
    "content_type_id": 1,
    "url": "x",
}


def admin_row(key, route):
    if key == "admin:login":
        return Row(public())
    if key == "admin:logout":
        return Row(everyone(redirect_to("admin:index")))
    # The Django admin is for operators (is_staff) only; no service role opens it.
    return Row(everyone(ADMIN_LOGIN))


def row_for(key, route):
    if route.startswith("django-admin/"):
        return admin_row(key, route)
    return MATRIX.get(key)


def test_every_url_is_in_the_matrix():
    missing = [
        f"{key} ({route})"
        for key, route, _ in url_patterns()
        if row_for(key, route) is None and not route.startswith("errors/")
    ]
    assert not missing, "URLs with no row in the authorization matrix:\n" + "\n".join(missing)


def test_matrix_names_no_url_that_is_gone():
    keys = {key for key, _, _ in url_patterns()}
    assert not set(MATRIX) - keys


def _request_url(key, route, pattern, world):
    if route.startswith("django-admin/"):
        kwargs = {name: ADMIN_ARGUMENTS[name] for name in pattern.pattern.regex.groupindex}
        if pattern.name is None:
            # Unnamed admin patterns (the catch-all and old change-page redirects).
            path = route.replace("<path:object_id>", "1").replace("(?P<url>.*)$", "x")
            return "/" + path.replace("^", "")
        return reverse(key, kwargs=kwargs)
    return reverse(key, kwargs=MATRIX[key].kwargs(world))


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_matrix_says(role, world, client):
    if role != "anonymous":
        client.force_login(world.users[role])
    show = os.environ.get("AUTH_MATRIX_SHOW")
    wrong = []
    for key, route, pattern in url_patterns():
        row = row_for(key, route)
        if row is None or route.startswith("errors/"):
            continue
        url = _request_url(key, route, pattern, world)
        actual = outcome_of(client.get(url))
        expected = row.expected[role]
        if callable(expected):
            expected = expected(world)
        if show:
            print(f"{role:16} {key:45} {actual}")
        if actual != expected:
            wrong.append(f"{key} {url}: expected {expected}, got {actual}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


def test_review_page_opens_only_for_an_assigned_reviewer_without_a_conflict(world, client):
    url = reverse("projects:review", kwargs={"pk": world.panel_proposal.pk})
    client.force_login(UserFactory(roles=[Role.PANEL_REVIEWER], totp=True))
    assert client.get(url).status_code == 404

    client.force_login(world.reviewer)
    assert client.get(url).status_code == 200

    assignment = world.panel_proposal.assignments.get(reviewer=world.reviewer)
    conflict_declare(
        assignment=assignment, conflict=True, details="I advise the team.", by=world.reviewer
    )
    assert client.get(url).status_code == 404
