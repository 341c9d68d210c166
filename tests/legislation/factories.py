import factory

from legislation.access_modes import AccessMode
from legislation.models import Act, Dataset, Department, Governs


class ActFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Act
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Test Statistics Act {1900 + n}")
    slug = factory.Sequence(lambda n: f"test-statistics-act-{1900 + n}")
    year = factory.Sequence(lambda n: 1900 + n % 120)
    governs = factory.LazyFunction(lambda: [Governs.USE, Governs.ACCESS])
    summary = "Lets the test department collect returns for statistics."
    official_url = ""


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test Department {n}")
    slug = factory.Sequence(lambda n: f"test-department-{n}")
    short_name = factory.Sequence(lambda n: f"TD{n}")


class DatasetFactory(factory.django.DjangoModelFactory):
    """A dataset held under one new act unless ``acts=[...]`` names its gateways."""

    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Survey {n}")
    slug = factory.Sequence(lambda n: f"test-survey-{n}")
    description = "Returns from a test survey."
    department = factory.SubFactory(DepartmentFactory)
    consent_required = False
    access_mode = AccessMode.SAFE_SETTING

    @factory.post_generation
    def acts(self, create, extracted, **kwargs):
        if not create:
            return
        self.acts.set(extracted if extracted is not None else [ActFactory()])
