"""The demo data's tables: reference rows, salutations, job titles and the countries its
contacts come from. Plain data, read by ``crm.demo.reference`` and ``crm.demo.generator``."""

#: The default random seed: the same demo data on every machine.
SEED = 20261128
#: Contacts per insert transaction.
BATCH = 10_000


TERRITORIES = {
    "OSLO": ("Oslo and Akershus", "NO"),
    "VEST": ("Western Norway", "NO"),
    "NORD": ("Northern Norway", "NO"),
    "LONDON": ("Greater London", "GB"),
    "UK-NORTH": ("Northern England and Scotland", "GB"),
    "US-EAST": ("US East Coast", "US"),
    "US-WEST": ("US West Coast", "US"),
}
MAILING_GROUPS = {
    "NEWS": "Monthly newsletter",
    "EVENTS": "Event invitations",
    "XMAS": "Christmas cards",
    "PRESS": "Press releases",
    "WEBINAR": "Webinar participants",
}
INDUSTRY_GROUPS = {
    "RETAIL": "Retail",
    "MANUF": "Manufacturing",
    "IT": "Information technology",
    "FINANCE": "Banking and finance",
    "HEALTH": "Health care",
    "ENERGY": "Energy",
    "SHIPPING": "Shipping and logistics",
}
JOB_RESPONSIBILITIES = {
    "PURCHASE": "Purchasing",
    "SALES": "Sales",
    "IT": "IT",
    "MGMT": "Management",
    "MARKETING": "Marketing",
    "FINANCE": "Finance",
}
BUSINESS_RELATIONS = {
    "CUST": "Customer",
    "PROSP": "Prospect",
    "VEND": "Vendor",
    "PARTNER": "Partner",
    "PRESS": "Press",
}
# code: (description, {language: (formal, informal)})
SALUTATIONS = {
    "COMPANY": (
        "Company",
        {
            "en": ("Dear Sir or Madam", "Hello {company_name}"),
            "nb": ("Til {company_name}", "Hei {company_name}"),
        },
    ),
    "UNISEX": (
        "Person, first name and surname",
        {
            "en": ("Dear {first_name} {surname}", "Hi {first_name}"),
            "nb": ("Kjære {first_name} {surname}", "Hei {first_name}"),
        },
    ),
    "JOB": (
        "Person, by job title",
        {
            "en": ("Dear {job_title} {surname}", "Hi {first_name}"),
            "nb": ("Til {job_title} {first_name} {surname}", "Hei {first_name}"),
        },
    ),
}
JOB_TITLES = {
    "en": [
        "Purchasing Manager",
        "Sales Director",
        "IT Manager",
        "Chief Executive Officer",
        "Marketing Manager",
        "Finance Controller",
        "Office Manager",
        "Project Manager",
    ],
    "nb": [
        "Innkjøpssjef",
        "Salgsdirektør",
        "IT-sjef",
        "Daglig leder",
        "Markedssjef",
        "Økonomisjef",
        "Kontorleder",
        "Prosjektleder",
    ],
}
# Faker calls Norwegian Bokmål "no_NO".
COUNTRIES = [("NO", "no_NO", "nb", ".no", 5), ("GB", "en_GB", "en", ".co.uk", 3)]
COUNTRIES += [("US", "en_US", "en", ".com", 2)]
