"""No form or action answers hostile input with a server error, and a refusal changes nothing.

The forms are found, not listed: every page the authorization matrix lets some role open is
read as each role allowed to open it, and every ``<form method="post">`` on it (with its fields,
its hidden values, its choices and its submit buttons' names and values) is posted to, as that
role, with generated input: empty, huge, right-to-left and emoji text, null bytes, invalid UTF-8
(a lone surrogate, as a browser could send it), numbers that are not numbers, ids that are not
ids, several values where one is expected, missing fields and odd files. Pages the matrix world
cannot reach with a 200 (an application in progress, a project not yet approved, the Django
admin) are not covered here. Set ``FORM_FUZZ_EXAMPLES`` to run more examples per form.
"""

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from projects.proposal.sections import SECTION_SLUGS
from tests.test_authorization_matrix import MATRIX, OK, ROLES
from tests.test_authorization_matrix import world as world  # the fixture, used by name

EXAMPLES_PER_FORM = int(os.environ.get("FORM_FUZZ_EXAMPLES", "10"))
# The forms are fuzzed in parts, each a test of its own, so that `make test`'s processes share
# them out.
PARTS = 4

NUMBERS_AS_TEXT = [
    "0",
    "-1",
    "1.5",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "99999999999999999999999999999",
    "-99999999999999999999999999999",
    "0x10",
    " 7 ",
    "١٢",  # Arabic-Indic digits
]
BAD_IDS = ["abc", "1;DROP TABLE x", "../1", "1/2", "%00", "None", "[]", "{}", "1 OR 1=1"]
ODD_TEXT = [
    "",
    " ",
    "x" * 100_000,
    "\x00",
    "a\x00b",
    "\u202eevil.exe",
    "שלום עולם",
    "مرحبا",
    "🧪💥👩‍🔬",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "\r\n\t",
    "null",
]
# A browser can post bytes that are not UTF-8; the test client cannot encode a lone surrogate
# itself, so it is sent as the bytes UTF-8 would give it.
LONE_SURROGATE = b"\xed\xa0\x80"
BAD_BYTES = [LONE_SURROGATE, b"\xff\xfe", b"caf\xe9"]

# Each of these goes into every field of every form at least once, ahead of the generated input:
# a defect that one value sets off is found every run, not once in a while.
SWEEP = [
    "",
    "x" * 100_000,
    "a\x00b",
    LONE_SURROGATE,
    "\u202e\u05e9\u05dc\u05d5\u05dd 🧪👩‍🔬",
    "abc",
    "1;DROP TABLE x",
    "../1",
    "-1",
    "1.5",
    "NaN",
    "1e309",
    "99999999999999999999999999999",
]
CURATED = [*ODD_TEXT, *NUMBERS_AS_TEXT, *BAD_IDS, *BAD_BYTES]
hostile_values = st.one_of(st.sampled_from(CURATED), st.text(max_size=40))

FILE_NAMES = ["a.csv", "a.pdf", "a.zip", "../../etc/passwd", "x" * 300 + ".pdf", "\u202efdp.exe"]
FILE_PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"region,n\n", b"<svg"]
# (name, content): the upload is made afresh for each post, since a post reads it to the end.
hostile_files = st.tuples(
    st.sampled_from(FILE_NAMES),
    st.builds(lambda prefix, body: prefix + body, st.sampled_from(FILE_PREFIXES), st.binary()),
)
SWEEP_FILE = ("../\u202etable.csv", b"PK\x03\x04\x00\x00\x00")


@dataclass
class Form:
    action: str
    multipart: bool
    csrf: str = ""
    # name -> values the page offers (hidden values, choices, prefilled text)
    fields: dict = field(default_factory=dict)
    files: list = field(default_factory=list)
    buttons: list = field(default_factory=list)

    def key(self):
        """Forms alike but for their prefilled values (one per user) are posted to once; a page's
        several forms told apart by a hidden ``action`` each are posted to."""
        return (
            self.action,
            tuple(sorted(self.fields)),
            tuple(self.fields.get("action", ())),
            tuple(self.files),
            tuple(self.buttons),
        )


class FormFinder(HTMLParser):
    """Every form posted by a page, with what a browser would let a user send."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = []
        self.form = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = None
            if (attrs.get("method") or "get").lower() == "post":
                action = urlsplit(attrs.get("action") or "").path or self.page_url
                multipart = attrs.get("enctype") == "multipart/form-data"
                self.form = Form(action=action, multipart=multipart)
                self.forms.append(self.form)
            return
        form, name = self.form, attrs.get("name")
        if form is None:
            return
        if tag == "option" and self.select and attrs.get("value"):
            form.fields[self.select].append(attrs["value"])
            return
        if not name:
            return
        kind = (attrs.get("type") or "").lower()
        if tag == "button" or (tag == "input" and kind == "submit"):
            form.buttons.append((name, attrs.get("value") or ""))
        elif name == "csrfmiddlewaretoken":
            form.csrf = attrs.get("value") or ""
        elif tag == "input" and kind == "file":
            form.files.append(name)
        elif tag in ("input", "select", "textarea"):
            values = form.fields.setdefault(name, [])
            if attrs.get("value"):
                values.append(attrs["value"])
            if tag == "select":
                self.select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        if tag == "select":
            self.select = None


# The matrix opens one example of a URL that serves several pages; these are read in full.
MORE_PAGES = {
    "projects:proposal_section": lambda world: [
        {"pk": world.proposal.pk, "section": section} for section in SECTION_SLUGS
    ],
}


def forms_of_the_matrix(world, client):
    """(url name, role, form) for every post form on every page some role opens with a 200."""
    found = {}
    for key, row in MATRIX.items():
        for role in ROLES:
            if row.expected[role] != OK:
                continue
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            pages = MORE_PAGES[key](world) if key in MORE_PAGES else [row.kwargs(world)]
            for kwargs in pages:
                url = reverse(key, kwargs=kwargs)
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                    continue
                if "text/html" not in response.get("Content-Type", ""):
                    continue
                finder = FormFinder(url)
                finder.feed(response.content.decode())
                for form in finder.forms:
                    found.setdefault(form.key(), (key, role, form))
    client.logout()
    return list(found.values())


@st.composite
def form_input(draw, form):
    """One hostile value, put into some fields; the others get what the page offers, or are
    left out, or are sent several times."""
    hostile = draw(hostile_values)
    fields = {}
    for name, offered in form.fields.items():
        sane = draw(st.sampled_from(offered)) if offered else "1"
        how = draw(st.sampled_from(["hostile", "sane", "missing", "several"]))
        fields[name] = {
            "hostile": hostile,
            "sane": sane,
            "missing": None,
            "several": [hostile, sane, draw(hostile_values)],
        }[how]
    button = draw(st.sampled_from([None, *form.buttons])) if form.buttons else None
    files = {name: draw(st.one_of(st.none(), hostile_files)) for name in form.files}
    return button, fields, files


def sweep(form):
    """Every value of SWEEP in every field at once, each submit button in turn."""
    buttons = form.buttons or [None]
    for number, value in enumerate(SWEEP):
        yield (
            buttons[number % len(buttons)],
            dict.fromkeys(form.fields, value),
            dict.fromkeys(form.files, SWEEP_FILE),
        )
    yield buttons[0], {name: ["1", "abc"] for name in form.fields}, {}
    yield buttons[0], dict.fromkeys(form.fields), {}


def fingerprint_query():
    """What a refused post must leave as it was, read in one query.

    Row counts catch every insert and delete; the newest ``updated_at`` of each model that has
    one catches an edit of the records people write; the audit trail is counted with the rest,
    and every service writes an audit event in the transaction of its change, so any workflow
    step shows. Sessions are the client's, not the service's, and are left out.
    """
    quote = connection.ops.quote_name
    parts = []
    for model in apps.get_models():
        if model._meta.label == "sessions.Session" or not model._meta.managed:
            continue
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")  # noqa: S608
    # Table names come from the models, quoted by the database's own rules.
    return "SELECT " + ", ".join(parts)


def fingerprint(query):
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()


def post(client, form, button, fields, files):
    pairs = [("csrfmiddlewaretoken", form.csrf)]
    if button:
        pairs.append(button)
    for name, value in fields.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    if form.multipart:
        data = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        for name, upload in files.items():
            if upload is not None:
                data[name] = SimpleUploadedFile(*upload)
        return client.post(form.action, data)
    return client.post(
        form.action, urlencode(pairs), content_type="application/x-www-form-urlencoded"
    )


def is_refusal(response):
    if response.status_code in (400, 403, 404):
        return True
    return response.status_code == 200 and b"govuk-error-summary" in response.content


def describe(button, fields, files):
    def short(value):
        text = repr(value)
        return text if len(text) < 80 else text[:80] + f"... ({len(text)} characters)"

    sent = {name: short(value) for name, value in fields.items() if value is not None}
    uploads = {name: short(upload[0]) for name, upload in files.items() if upload is not None}
    return f"button={button!r} fields={sent} files={uploads}"


def fuzz(form, user, query):
    """Post generated input to one form as one role; raise on a server error or a change."""

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(form_input(form))
    def check(generated):
        button, fields, files = generated
        client = Client()
        with transaction.atomic():
            if user is not None:
                client.force_login(user)
            before = fingerprint(query)
            try:
                response = post(client, form, button, fields, files)
            except Exception as error:
                raise AssertionError(
                    f"raised {error!r} for {describe(button, fields, files)}"
                ) from error
            if response.streaming:
                b"".join(response.streaming_content)
            sent = describe(button, fields, files)
            assert response.status_code != 500, f"500 for {sent}"
            if is_refusal(response):
                assert fingerprint(query) == before, (
                    f"a refusal ({response.status_code}) changed rows for {sent}"
                )
            # Each example starts from the same world, whatever the last one did.
            transaction.set_rollback(True)

    for explicit in sweep(form):
        check = example(explicit)(check)
    check()


@pytest.fixture
def hypothesis_home(tmp_path):
    # Hypothesis caches what it learns under .hypothesis in the working folder; keep it out of
    # the repository.
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


@pytest.mark.parametrize("part", range(PARTS))
def test_no_form_answers_hostile_input_with_a_server_error(
    part, world, client, settings, hypothesis_home
):
    # Allauth's rate limits would turn the sign-in and reset forms into 429s after a few posts.
    settings.ACCOUNT_RATE_LIMITS = False
    forms = forms_of_the_matrix(world, client)
    assert len(forms) > 40, "found fewer forms than the service has"
    query = fingerprint_query()
    failures = []
    for key, role, form in forms[part::PARTS]:
        user = None if role == "anonymous" else world.users[role]
        try:
            fuzz(form, user, query)
        except Exception as error:
            failures.append(f"{key} as {role}, POST {form.action}: {error}")
    assert not failures, "\n\n".join(failures)
