from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workflow.docs import render_states_doc, states_doc_path


class Command(BaseCommand):
    help = "Write docs/states.md from the state machines; with --check, fail if it is stale."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit non-zero when docs/states.md differs from the code.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        path = states_doc_path()
        text = render_states_doc()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{path} is out of date: run `python manage.py write_state_docs`."
                )
            self.stdout.write(f"{path} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{path} is already up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
