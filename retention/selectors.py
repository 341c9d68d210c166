"""What the secretariat's retention pages read, each in a fixed number of queries."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from .kinds import RUNS
from .models import DestructionCertificate, LegalHold, RetentionRule, RetentionSchedule

# How many of the latest versions and certificates the pages list.
LISTED = 100


@dataclass(frozen=True)
class RuleRow:
    rule: RetentionRule
    run: bool  # whether the run destroys (or anonymises) this kind yet


def schedule_get(*, version: int | None = None) -> RetentionSchedule:
    schedules = RetentionSchedule.objects.select_related("created_by")
    if version is None:
        schedule = schedules.order_by("-version").first()
        if schedule is None:
            raise RetentionSchedule.DoesNotExist("There is no retention schedule.")
        return schedule
    return get_object_or_404(schedules, version=version)


def schedule_rules(*, schedule: RetentionSchedule) -> list[RuleRow]:
    return [
        RuleRow(rule, rule.kind in RUNS and rule.action in RUNS[rule.kind].actions)
        for rule in schedule.rules.order_by("id")
    ]


def schedule_versions() -> list[RetentionSchedule]:
    return list(
        RetentionSchedule.objects.select_related("created_by").order_by("-version")[:LISTED]
    )


def holds_list() -> list[LegalHold]:
    return list(
        LegalHold.objects.select_related("placed_by", "lifted_by").order_by(
            "lifted_at", "-placed_at", "-id"
        )
    )


def hold_get(*, pk: int) -> LegalHold:
    return get_object_or_404(LegalHold.objects.select_related("placed_by"), pk=pk)


def certificates_list() -> list[DestructionCertificate]:
    return list(
        DestructionCertificate.objects.select_related("by")
        .defer("kinds")
        .order_by("-ran_at", "-id")[:LISTED]
    )


def certificate_get(*, pk: int) -> DestructionCertificate:
    return get_object_or_404(DestructionCertificate.objects.select_related("by"), pk=pk)
