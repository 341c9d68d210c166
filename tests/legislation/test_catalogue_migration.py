"""The data migration's catalogue, as it is in every freshly migrated database."""

import pytest

from legislation.models import Act, Dataset, Governs

pytestmark = pytest.mark.django_db

POLICY_ACTS = {
    "Statistics and Registration Service Act 2007",
    "Digital Economy Act 2017",
    "Pre-Release Access to Official Statistics Order 2008",
    "UK GDPR and the Data Protection Act 2018",
    "Freedom of Information Act 2000",
    "Environmental Information Regulations 2004",
    "Protection of Freedoms Act 2012",
    "Public Records Act 1958",
    "Re-use of Public Sector Information Regulations 2015",
    "Census Act 1920",
    "Statistics of Trade Act 1947",
    "Value Added Tax Act 1994",
    "Finance Act 1969",
    "Social Security Information Act 1992",
    "Agricultural Statistics Act 1979",
    "Employment and Training Act 1973",
}


def test_catalogue_migration_loads_every_act_the_policy_names():
    assert set(Act.objects.values_list("title", flat=True)) == POLICY_ACTS


def test_catalogue_migration_acts_have_year_governs_and_summary():
    for act in Act.objects.all():
        assert str(act.year) in act.title
        assert act.governs
        assert set(act.governs) <= set(Governs.values)
        assert len(act.summary) > 80
        assert not act.official_url or act.official_url.startswith(
            "https://www.legislation.gov.uk/"
        )


def test_catalogue_migration_datasets_each_have_a_gateway():
    datasets = Dataset.objects.prefetch_related("acts")

    assert 6 <= len(datasets) <= 8
    for dataset in datasets:
        assert dataset.acts.all(), dataset.name


def test_catalogue_migration_other_departments_data_needs_consent():
    for dataset in Dataset.objects.select_related("department"):
        assert dataset.consent_required == (dataset.department.short_name != "ONS"), dataset.name


def test_catalogue_migration_vat_returns_are_held_under_the_vat_act():
    vat = Dataset.objects.get(slug="hmrc-vat-returns")

    assert [act.title for act in vat.acts.all()] == ["Value Added Tax Act 1994"]
    assert vat.consent_required
    assert vat.department.short_name == "HMRC"


def test_catalogue_migration_run_again_changes_nothing():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("legislation.migrations.0002_load_catalogue")
    before = (Act.objects.count(), Dataset.objects.count(), Dataset.acts.through.objects.count())

    migration.load_catalogue(apps, None)

    after = (Act.objects.count(), Dataset.objects.count(), Dataset.acts.through.objects.count())
    assert after == before
