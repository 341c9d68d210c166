"""The only way the catalogue changes: each service validates, saves and audits in one
transaction, recording every changed field as ``[old, new]``."""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from audit.services import audit_record
from workflow.hooks import access_changed

from .models import Act, Dataset, Department, governs_sorted
from .permissions import check_user_can_edit_catalogue

if TYPE_CHECKING:
    # The stubs' name for settings.AUTH_USER_MODEL: legislation stands beside researchers, and
    # cannot import it.
    from django.contrib.auth.models import _User as User

ACT_FIELDS = ("slug", "title", "year", "governs", "summary", "official_url")
DATASET_FIELDS = (
    "slug",
    "name",
    "description",
    "department",
    "acts",
    "consent_required",
    "access_mode",
)


def _act_snapshot(act: Act) -> dict[str, object]:
    return {
        "slug": act.slug,
        "title": act.title,
        "year": act.year,
        "governs": governs_sorted(act.governs),
        "summary": act.summary,
        "official_url": act.official_url,
    }


def _dataset_snapshot(dataset: Dataset, acts: Iterable[Act]) -> dict[str, object]:
    return {
        "slug": dataset.slug,
        "name": dataset.name,
        "description": dataset.description,
        "department": dataset.department.short_name if dataset.department_id else None,
        "acts": sorted(act.slug for act in acts),
        "consent_required": dataset.consent_required,
        "access_mode": dataset.access_mode,
    }


def _diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    return {
        field: [before.get(field), after[field]]
        for field in after
        if before.get(field) != after[field]
    }


def _unknown_fields(changes: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def act_create(
    *,
    slug: str,
    title: str,
    year: int,
    governs: Iterable[str],
    summary: str,
    official_url: str | None = "",
    by: "User",
    request: HttpRequest | None = None,
) -> Act:
    check_user_can_edit_catalogue(by)
    with transaction.atomic():
        act = Act(
            slug=slug,
            title=title,
            year=year,
            governs=governs_sorted(governs),
            summary=summary,
            official_url=official_url or "",
        )
        act.full_clean()
        act.save()
        audit_record(
            actor=by,
            action="legislation.act_created",
            obj=act,
            payload={"changed": _diff({}, _act_snapshot(act))},
            request=request,
        )
    return act


def act_update(*, act: Act, by: "User", request: HttpRequest | None = None, **changes: Any) -> Act:
    """Change the given fields of ``act``. Writes no audit event when nothing changed."""
    _unknown_fields(changes, ACT_FIELDS)
    check_user_can_edit_catalogue(by)
    with transaction.atomic():
        act = Act.objects.select_for_update().get(pk=act.pk)
        before = _act_snapshot(act)
        if "governs" in changes:
            changes["governs"] = governs_sorted(changes["governs"])
        if "official_url" in changes:
            changes["official_url"] = changes["official_url"] or ""
        for field, value in changes.items():
            setattr(act, field, value)
        act.full_clean()
        changed = _diff(before, _act_snapshot(act))
        if changed:
            act.save()
            audit_record(
                actor=by,
                action="legislation.act_updated",
                obj=act,
                payload={"changed": changed},
                request=request,
            )
    return act


def _check_gateways(acts: list[Act]) -> None:
    if not acts:
        raise ValidationError({"acts": "Select at least one act under which the data is held."})


def dataset_create(
    *,
    slug: str,
    name: str,
    description: str,
    department: Department,
    acts: Iterable[Act],
    consent_required: bool,
    access_mode: str,
    by: "User",
    request: HttpRequest | None = None,
) -> Dataset:
    check_user_can_edit_catalogue(by)
    acts = list(acts)
    _check_gateways(acts)
    with transaction.atomic():
        dataset = Dataset(
            slug=slug,
            name=name,
            description=description,
            department=department,
            consent_required=consent_required,
            access_mode=access_mode,
        )
        dataset.full_clean()
        dataset.save()
        dataset.acts.set(acts)
        audit_record(
            actor=by,
            action="legislation.dataset_created",
            obj=dataset,
            payload={"changed": _diff({}, _dataset_snapshot(dataset, acts))},
            request=request,
        )
    return dataset


def dataset_update(
    *, dataset: Dataset, by: "User", request: HttpRequest | None = None, **changes: Any
) -> Dataset:
    """Change the given fields of ``dataset`` (``acts`` replaces its gateways)."""
    _unknown_fields(changes, DATASET_FIELDS)
    check_user_can_edit_catalogue(by)
    with transaction.atomic():
        dataset = (
            Dataset.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=dataset.pk)
        )
        current_acts = list(dataset.acts.all())
        before = _dataset_snapshot(dataset, current_acts)
        new_acts = list(changes.pop("acts")) if "acts" in changes else current_acts
        _check_gateways(new_acts)
        for field, value in changes.items():
            setattr(dataset, field, value)
        dataset.full_clean()
        changed = _diff(before, _dataset_snapshot(dataset, new_acts))
        if changed:
            dataset.save()
            if "acts" in changed:
                dataset.acts.set(new_acts)
            audit_record(
                actor=by,
                action="legislation.dataset_updated",
                obj=dataset,
                payload={"changed": changed},
                request=request,
            )
            # Who may see the dataset, and how, follows its consent rule and access mode.
            # Only the projects that asked for it can be touched.
            if changed.keys() & {"consent_required", "access_mode", "name"}:
                access_changed(
                    projects=dataset.requests.values_list("proposal_id", flat=True).distinct(),
                    reason=f"Dataset {dataset.name} changed",
                )
    return dataset
