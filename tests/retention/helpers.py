"""Records on both sides of their retention periods, made through the services at the time they
would have been, and a schedule the secretariat has confirmed."""

import datetime
import hashlib
import os
from dataclasses import dataclass, field

import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accreditation.models import AccreditationApplication
from identity.roles import Role
from notifications.models import Notification
from projects.models import Proposal
from retention.services import retention_schedule_confirm
from tests.accreditation.factories import AccreditationApplicationFactory
from tests.factories import UserFactory
from tests.projects.factories import ProposalFactory
from tests.reports.helpers import export_ready
from workflow.services import transition_fire

TODAY = datetime.date(2027, 6, 1)
# Past every default period of the kinds the run destroys (a year at most), and well within.
LONG_AGO = datetime.datetime(2025, 1, 10, 12, 0, tzinfo=datetime.UTC)
LATELY = datetime.datetime(2027, 5, 20, 12, 0, tzinfo=datetime.UTC)


def secretariat_user():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def schedule_confirmed(by=None):
    return retention_schedule_confirm(
        reason="Reviewed by the records manager; periods agreed.", by=by or secretariat_user()
    )


def application_withdrawn(on):
    with time_machine.travel(on, tick=False):
        application = AccreditationApplicationFactory()
        transition_fire(obj=application, transition="withdraw", by=application.applicant)
    return AccreditationApplication.objects.get(pk=application.pk)


def proposal_withdrawn(on, *, dpia=b"%PDF-1.4\n% a DPIA\n%%EOF\n", dpia_name=None):
    with time_machine.travel(on, tick=False):
        proposal = ProposalFactory(dpia_needed=True)
        if dpia_name:
            Proposal.objects.filter(pk=proposal.pk).update(dpia_file=dpia_name)
            proposal.refresh_from_db()
        else:
            proposal.dpia_file.save("dpia.pdf", ContentFile(dpia), save=True)
        transition_fire(obj=proposal, transition="withdraw", by=proposal.coordinator)
    return Proposal.objects.get(pk=proposal.pk)


def notification_read(on):
    return Notification.objects.create(
        recipient=UserFactory(),
        kind="proposal.submit",
        subject="Your project proposal has been sent",
        created_at=on,
        read_at=on,
    )


def report_export(on, by):
    with time_machine.travel(on, tick=False):
        return export_ready(by=by)


def orphan_stored(on, content):
    """A content-addressed file no row names, last written ``on``."""
    digest = hashlib.sha256(content).hexdigest()
    name = default_storage.save(
        f"private/outputs/{digest[:2]}/{digest[2:4]}/{digest}", ContentFile(content)
    )
    stamp = on.timestamp()
    # The local disk's own record of when the file was written, as an old upload's would be.
    os.utime(default_storage.path(name), (stamp, stamp))
    return name


def sha256(content):
    return hashlib.sha256(content).hexdigest()


@dataclass
class World:
    """One record of each kind the run destroys past its period, and one within it."""

    expired: dict = field(default_factory=dict)
    fresh: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # storage name -> bytes, of the expired


def world_make(*, copies=1):
    by = secretariat_user()
    world = World()
    for when, side in ((LONG_AGO, world.expired), (LATELY, world.fresh)):
        for index in range(copies):
            stamp = f"{when:%Y%m%d}-{index}".encode()
            side.setdefault("application_withdrawn_draft", []).append(
                str(application_withdrawn(when).pk)
            )
            proposal = proposal_withdrawn(when, dpia=b"%PDF-1.4\n% DPIA " + stamp + b"\n%%EOF\n")
            side.setdefault("proposal_withdrawn_draft", []).append(str(proposal.pk))
            side.setdefault("notification_read", []).append(str(notification_read(when).pk))
            export = report_export(when, by)
            side.setdefault("report_export", []).append(str(export.pk))
            orphan_content = b"count,area\n" + stamp + b",1\n"
            orphan = orphan_stored(when, orphan_content)
            side.setdefault("orphaned_file", []).append(orphan)
            if side is world.expired:
                for name in (proposal.dpia_file.name, export.file.name):
                    with default_storage.open(name) as handle:
                        world.files[name] = handle.read()
                world.files[orphan] = orphan_content
    return world


def entry(certificate, kind):
    return next(item for item in certificate.kinds if item["kind"] == kind)


def now_is(day):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(2, 30))), tick=False
    )
