"""The applicant's task list: what is still missing before the application can be sent,
each item linking to the page where it is done. Built from the submission conditions, so the
list and the refusal can never disagree."""

from dataclasses import dataclass, field

from django.urls import reverse

from researchers import criteria

from . import conditions


@dataclass
class Task:
    label: str
    url: str
    rules: tuple
    reasons: list = field(default_factory=list)

    @property
    def done(self):
        return not self.reasons


def _tasks():
    return [
        Task(
            "Complete your profile",
            reverse("researchers:profile"),
            (conditions.profile_complete,),
        ),
        Task(
            "Add your qualifications or research experience",
            reverse("researchers:profile"),
            (conditions.full_criteria_met,),
        ),
        Task(
            "Add your Safe Researcher Training",
            reverse("researchers:training_add"),
            (conditions.training_passed, conditions.training_recent_for_provisional),
        ),
        Task(
            "Sign the confidentiality declaration",
            reverse("researchers:declaration"),
            (conditions.declaration_signed,),
        ),
        Task(
            "Choose full or provisional accreditation, and your supervisor",
            reverse("accreditation:application_edit"),
            (
                conditions.route_chosen,
                conditions.supervisor_fully_accredited,
                conditions.supervisor_same_organisation,
                conditions.supervisor_confirmed,
            ),
        ),
        Task(
            "Agree to the public register and to publishing your results",
            reverse("accreditation:application_edit"),
            (conditions.register_consent_given, conditions.publish_commitment_given),
        ),
    ]


def application_task_list(application):
    """Every task, with the sentences of its rules the application does not meet yet."""
    from workflow.graph import sentence

    tasks = _tasks()
    for task in tasks:
        task.reasons = [sentence(rule) for rule in task.rules if not rule(application)]
    qualifications = tasks[1]
    if not application.kind and not criteria.user_meets_full_criteria(application.applicant):
        # Before a route is chosen the rule does not apply yet, but the task is still to do.
        qualifications.reasons = [
            "Add a degree with substantial quantitative content at 2:2 or better, or "
            "quantitative research experience; without them you can apply only for "
            "provisional accreditation under a supervisor."
        ]
    return tasks
