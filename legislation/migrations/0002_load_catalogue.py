"""Loads every act the data access policy names, the departments that own data, and a handful of
demo datasets. Safe to run again: each row is matched by its slug and brought up to date."""

from django.db import migrations

USE = "use"
ACCESS = "access"
ONWARD = "onward_disclosure"
PUBLICATION = "publication"
RETENTION = "retention"

ACTS = [
    {
        "slug": "statistics-and-registration-service-act-2007",
        "title": "Statistics and Registration Service Act 2007",
        "year": 2007,
        "governs": [USE, ACCESS, ONWARD, PUBLICATION],
        "summary": (
            "Set up the UK Statistics Authority, with ONS as its executive office, and gave it the "
            "objective of producing and publishing official statistics that serve the public good. "
            "It lets ONS obtain birth, death and NHS registration information and some HMRC data. "
            "Disclosing information that identifies a person or business is a criminal offence "
            "except in the circumstances the Act allows, one of which is access by approved "
            "researchers for statistical research."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/2007/18/contents",
    },
    {
        "slug": "digital-economy-act-2017",
        "title": "Digital Economy Act 2017",
        "year": 2017,
        "governs": [USE, ACCESS, ONWARD],
        "summary": (
            "Amended the 2007 Act to give ONS permissive and mandatory gateways for receiving data "
            "from any public authority or Crown body, and powers to require data from some "
            "businesses. In limited cases ONS may share data with the devolved administrations, "
            "only for statistical purposes. With the 2007 Act it is the basis on which approved "
            "researchers may see de-identified, unpublished data."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/2017/30/contents",
    },
    {
        "slug": "pre-release-access-to-official-statistics-order-2008",
        "title": "Pre-Release Access to Official Statistics Order 2008",
        "year": 2008,
        "governs": [PUBLICATION],
        "summary": (
            "Made under the 2007 Act, it sets the rules for who may see official statistics before "
            "they are published, and for how long. The devolved administrations have their own "
            "orders for their statistics."
        ),
        "official_url": "https://www.legislation.gov.uk/uksi/2008/2998/contents",
    },
    {
        "slug": "uk-gdpr-and-data-protection-act-2018",
        "title": "UK GDPR and the Data Protection Act 2018",
        "year": 2018,
        "governs": [USE, RETENTION],
        "summary": (
            "Together they set out when and how personal data may be processed lawfully and the "
            "principles every use must follow, including keeping data no longer than needed. They "
            "give some exemptions for processing solely for statistical purposes. ONS, as a data "
            "controller, must be able to show its processing is fair, necessary and proportionate."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/2018/12/contents",
    },
    {
        "slug": "freedom-of-information-act-2000",
        "title": "Freedom of Information Act 2000",
        "year": 2000,
        "governs": [PUBLICATION],
        "summary": (
            "Requires public bodies to publish certain information proactively and to answer "
            "requests for information they hold. For the scheme it means the registers of "
            "accredited researchers and projects, and the rules we apply, are public."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/2000/36/contents",
    },
    {
        "slug": "environmental-information-regulations-2004",
        "title": "Environmental Information Regulations 2004",
        "year": 2004,
        "governs": [PUBLICATION],
        "summary": (
            "The counterpart of the Freedom of Information Act for environmental information: "
            "public bodies must make it available proactively and on request, subject to "
            "exceptions."
        ),
        "official_url": "https://www.legislation.gov.uk/uksi/2004/3391/contents",
    },
    {
        "slug": "protection-of-freedoms-act-2012",
        "title": "Protection of Freedoms Act 2012",
        "year": 2012,
        "governs": [PUBLICATION],
        "summary": (
            "Among other things it extended freedom of information so that datasets released on "
            "request are provided in a reusable, electronic form. With the Freedom of Information "
            "Act and the Environmental Information Regulations it shapes what we publish and "
            "release on request."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/2012/9/contents",
    },
    {
        "slug": "public-records-act-1958",
        "title": "Public Records Act 1958",
        "year": 1958,
        "governs": [RETENTION],
        "summary": (
            "Provides the framework for selecting, keeping and destroying public records. It "
            "decides how long the scheme's records, such as applications, decisions and audit "
            "trails, are kept and what happens to them afterwards."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/Eliz2/6-7/51/contents",
    },
    {
        "slug": "re-use-of-public-sector-information-regulations-2015",
        "title": "Re-use of Public Sector Information Regulations 2015",
        "year": 2015,
        "governs": [PUBLICATION],
        "summary": (
            "Removes barriers to the re-use of information public bodies produce and encourages "
            "them to make it available. It applies to what we publish, such as the registers and "
            "released research outputs, not to the unpublished data itself."
        ),
        "official_url": "https://www.legislation.gov.uk/uksi/2015/1415/contents",
    },
    {
        "slug": "census-act-1920",
        "title": "Census Act 1920",
        "year": 1920,
        "governs": [ACCESS],
        "summary": (
            "Provides for taking a census and collecting statistical information about the "
            "population of Great Britain. Census returns are held under it, and access to census "
            "microdata must keep the confidentiality promised to every household."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/Geo5/10-11/41/contents",
    },
    {
        "slug": "statistics-of-trade-act-1947",
        "title": "Statistics of Trade Act 1947",
        "year": 1947,
        "governs": [ACCESS, ONWARD],
        "summary": (
            "Lets ONS run surveys of businesses that they are required by law to answer. In "
            "limited circumstances ONS may share what businesses return with other government "
            "departments; otherwise the returns stay confidential."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/Geo6/10-11/39/contents",
    },
    {
        "slug": "value-added-tax-act-1994",
        "title": "Value Added Tax Act 1994",
        "year": 1994,
        "governs": [ACCESS, ONWARD],
        "summary": (
            "Allows ONS to receive VAT information from HMRC for statistical purposes and, in "
            "limited circumstances, to pass it on to other government departments. The data "
            "remains HMRC's, so researchers need HMRC's consent to use it."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/1994/23/contents",
    },
    {
        "slug": "finance-act-1969",
        "title": "Finance Act 1969",
        "year": 1969,
        "governs": [ACCESS, ONWARD],
        "summary": (
            "Allows ONS to receive information about employers from HMRC and, in limited "
            "circumstances, to disclose it onward to other government departments. As with other "
            "HMRC data, onward access needs HMRC's consent."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/1969/32/contents",
    },
    {
        "slug": "social-security-information-act-1992",
        "title": "Social Security Information Act 1992",
        "year": 1992,
        "governs": [ACCESS],
        "summary": (
            "Allows ONS to receive information about pay and contributions that HMRC holds. "
            "Research use depends on the consent of the department that supplied the data."
        ),
        "official_url": "",
    },
    {
        "slug": "agricultural-statistics-act-1979",
        "title": "Agricultural Statistics Act 1979",
        "year": 1979,
        "governs": [ACCESS],
        "summary": (
            "Allows information on agricultural matters, such as land use, crops and livestock, to "
            "be collected from farmers and landowners for statistics. The returns are confidential "
            "to the farms that made them."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/1979/13/contents",
    },
    {
        "slug": "employment-and-training-act-1973",
        "title": "Employment and Training Act 1973",
        "year": 1973,
        "governs": [ONWARD],
        "summary": (
            "Permits business data to be disclosed in limited circumstances, for example to local "
            "authorities for planning their areas. It does not open the data to anyone else."
        ),
        "official_url": "https://www.legislation.gov.uk/ukpga/1973/50/contents",
    },
]

DEPARTMENTS = [
    {"slug": "ons", "name": "Office for National Statistics", "short_name": "ONS"},
    {"slug": "hmrc", "name": "HM Revenue and Customs", "short_name": "HMRC"},
    {"slug": "dwp", "name": "Department for Work and Pensions", "short_name": "DWP"},
    {"slug": "dfe", "name": "Department for Education", "short_name": "DfE"},
    {"slug": "dhsc", "name": "Department of Health and Social Care", "short_name": "DHSC"},
    {
        "slug": "defra",
        "name": "Department for Environment, Food and Rural Affairs",
        "short_name": "Defra",
    },
]

SRSA = "statistics-and-registration-service-act-2007"
DEA = "digital-economy-act-2017"

DATASETS = [
    {
        "slug": "annual-survey-of-hours-and-earnings",
        "name": "Annual Survey of Hours and Earnings",
        "description": (
            "Employers' returns on the pay and hours of a one per cent sample of employees, taken "
            "from PAYE records each April. Used for work on earnings, pay gaps and low pay."
        ),
        "department": "ons",
        "acts": ["statistics-of-trade-act-1947", SRSA],
        "consent_required": False,
        "access_mode": "remote_secure",
    },
    {
        "slug": "labour-force-survey",
        "name": "Labour Force Survey",
        "description": (
            "The household survey behind the official employment and unemployment figures, with "
            "detail on jobs, hours, education and household circumstances."
        ),
        "department": "ons",
        "acts": [SRSA],
        "consent_required": False,
        "access_mode": "remote_secure",
    },
    {
        "slug": "census-2021-microdata",
        "name": "Census 2021 microdata (England and Wales)",
        "description": (
            "De-identified person and household records from Census 2021, with geography "
            "detailed enough that it is only available in a safe setting."
        ),
        "department": "ons",
        "acts": ["census-act-1920", SRSA],
        "consent_required": False,
        "access_mode": "safe_setting",
    },
    {
        "slug": "annual-business-survey",
        "name": "Annual Business Survey",
        "description": (
            "Businesses' returns on turnover, purchases, employment costs and capital spending, "
            "the main source for structural statistics on the UK's non-financial business economy."
        ),
        "department": "ons",
        "acts": ["statistics-of-trade-act-1947"],
        "consent_required": False,
        "access_mode": "remote_secure",
    },
    {
        "slug": "hmrc-vat-returns",
        "name": "HMRC VAT returns",
        "description": (
            "Quarterly VAT returns of registered businesses, including turnover and input tax, "
            "supplied to ONS by HM Revenue and Customs."
        ),
        "department": "hmrc",
        "acts": ["value-added-tax-act-1994"],
        "consent_required": True,
        "access_mode": "safe_setting",
    },
    {
        "slug": "hmrc-paye-real-time-information",
        "name": "HMRC PAYE Real Time Information",
        "description": (
            "Employers' monthly pay and contributions submissions through PAYE, linked to "
            "employees by de-identified reference, supplied by HM Revenue and Customs."
        ),
        "department": "hmrc",
        "acts": ["finance-act-1969", "social-security-information-act-1992"],
        "consent_required": True,
        "access_mode": "secure_lab_only",
    },
    {
        "slug": "dwp-benefits-and-employment-histories",
        "name": "DWP benefits and employment histories",
        "description": (
            "De-identified records of benefit claims and spells of employment, supplied by the "
            "Department for Work and Pensions for linked research."
        ),
        "department": "dwp",
        "acts": [DEA],
        "consent_required": True,
        "access_mode": "secure_lab_only",
    },
    {
        "slug": "june-agricultural-survey",
        "name": "June Agricultural Survey",
        "description": (
            "Farm-level returns on land use, crop areas, livestock numbers and the farm labour "
            "force, collected every June."
        ),
        "department": "defra",
        "acts": ["agricultural-statistics-act-1979"],
        "consent_required": True,
        "access_mode": "safe_setting",
    },
]


def load_catalogue(apps, schema_editor):
    Act = apps.get_model("legislation", "Act")
    Department = apps.get_model("legislation", "Department")
    Dataset = apps.get_model("legislation", "Dataset")
    DatasetGateway = apps.get_model("legislation", "DatasetGateway")

    acts = {}
    for row in ACTS:
        fields = dict(row)
        slug = fields.pop("slug")
        acts[slug], _ = Act.objects.update_or_create(slug=slug, defaults=fields)

    departments = {}
    for row in DEPARTMENTS:
        fields = dict(row)
        slug = fields.pop("slug")
        departments[slug], _ = Department.objects.update_or_create(slug=slug, defaults=fields)

    for row in DATASETS:
        fields = dict(row)
        slug = fields.pop("slug")
        act_slugs = fields.pop("acts")
        fields["department"] = departments[fields["department"]]
        dataset, _ = Dataset.objects.update_or_create(slug=slug, defaults=fields)
        for act_slug in act_slugs:
            DatasetGateway.objects.get_or_create(dataset=dataset, act=acts[act_slug])


class Migration(migrations.Migration):
    dependencies = [
        ("legislation", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the rows: dropping the tables in 0001 removes them, and a secretariat
        # edit made since should not be thrown away by stepping back one migration.
        migrations.RunPython(load_catalogue, migrations.RunPython.noop),
    ]
