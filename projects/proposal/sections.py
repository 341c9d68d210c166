"""The proposal's sections, in the order the task list and the check-your-answers page show
them, each with the submission rules that say whether it is complete. The task list is built
from the rules, so the list and a refused submission can never disagree."""

from dataclasses import dataclass, field

from django.urls import reverse

from projects import conditions
from workflow.graph import sentence


@dataclass(frozen=True)
class Section:
    slug: str
    label: str
    rules: tuple


SECTIONS = (
    Section("title", "Title and lay summary", (conditions.title_given,)),
    Section("purposes", "Public-good purposes", (conditions.purposes_given,)),
    Section("methods", "Aims, methods and software", (conditions.methods_given,)),
    Section("dates", "Start and end dates", (conditions.has_dates, conditions.ends_after_start)),
    Section(
        "datasets",
        "Datasets",
        (
            conditions.requests_data,
            conditions.datasets_explained,
            conditions.datasets_have_gateway,
        ),
    ),
    Section("ethics", "Ethics self-assessment", (conditions.ethics_answered,)),
    Section(
        "dpia",
        "Data protection impact assessment",
        (conditions.dpia_answered, conditions.dpia_uploaded),
    ),
    Section(
        "access",
        "Access mode",
        (conditions.access_mode_chosen, conditions.access_mode_strict_enough),
    ),
    Section("team", "Project team", conditions.TEAM_CONDITIONS),
    Section("outputs", "Outputs and publication plan", (conditions.outputs_planned,)),
)
SECTION_SLUGS = tuple(section.slug for section in SECTIONS)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


@dataclass
class Task:
    section: Section
    url: str
    reasons: list = field(default_factory=list)

    @property
    def label(self):
        return self.section.label

    @property
    def done(self):
        return not self.reasons


def proposal_task_list(proposal):
    """Every section, with the sentences of its rules the proposal does not meet yet."""
    return [
        Task(
            section=section,
            url=reverse(
                "projects:proposal_section", kwargs={"pk": proposal.pk, "section": section.slug}
            ),
            reasons=[sentence(rule) for rule in section.rules if not rule(proposal)],
        )
        for section in SECTIONS
    ]
