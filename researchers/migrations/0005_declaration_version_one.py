"""The first confidentiality declaration, in the service's own words from the data access policy."""

from django.db import migrations

VERSION_ONE = """\
I am applying to be, or already am, an approved researcher with access to unpublished, \
de-identified data held by the Office for National Statistics (ONS) for statistical research \
that serves the public good.

I understand that the Statistics and Registration Service Act 2007 makes it a criminal offence \
to disclose, without lawful authority, information held by ONS that relates to and identifies \
a particular person or business. A person found guilty of this offence can be sent to prison, \
fined, or both. This duty applies to me personally, and it continues after my project has \
ended and after my accreditation has lapsed.

I will:

1. Use the data only for the approved project it was provided for, and only for statistical \
research that serves the public good.
2. Never try to identify any person, household or business in the data, never link the data \
with other information to do so, and never use the data to make decisions about anyone.
3. Keep the data confidential, and never copy, remove or transmit any data from the secure \
setting in which it is provided.
4. Work only in the access arrangements approved for my project, and never let anyone else \
use my account or see the data, including colleagues who are not approved for the project.
5. Submit every output I want to take out of the secure setting for disclosure checking, and \
use or publish only outputs that have been checked and released.
6. Tell the secretariat at once if I know or suspect that data has been disclosed, lost or \
misused, or that these commitments have been broken, by me or by anyone else.
7. Tell the secretariat of any change in my circumstances that affects my accreditation, such \
as a change of employer or role.
8. Publish the results of my research, so that the public benefits from the access I am given.

I understand that if I break these commitments my accreditation may be suspended or revoked, \
my organisation may be told, access for my project may be withdrawn, and I may be prosecuted.

I have read and understood this declaration, and I agree to keep to it.
"""


def publish_version_one(apps, schema_editor):
    DeclarationVersion = apps.get_model("researchers", "DeclarationVersion")
    DeclarationVersion.objects.get_or_create(number=1, defaults={"text": VERSION_ONE})


def remove_version_one(apps, schema_editor):
    DeclarationVersion = apps.get_model("researchers", "DeclarationVersion")
    DeclarationVersion.objects.filter(number=1, declarations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("researchers", "0004_declarations")]

    operations = [migrations.RunPython(publish_version_one, remove_version_one)]
