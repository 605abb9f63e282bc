"""French and English: complete catalogs, the language of the request, and the
account's own preference over the browser's."""

import re

import pytest

from tests.api_helpers import ADMIN_USERS, LOGIN, ME, cookie_client
from tests.helpers import expect_error, load_tool


@pytest.fixture(scope="module")
def catalogs():
    return load_tool("catalogs")


def test_every_message_is_translated_in_both_catalogs(catalogs):
    assert catalogs.untranslated(catalogs.extract()) == []


def test_translations_keep_their_placeholders(catalogs):
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    wrong = []
    for language in ("fr", "en"):
        for message in catalogs.load(language):
            if not message.id:
                continue
            # A plural message (ngettext) has a tuple of forms on each side.
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = sorted(placeholder.findall(ids[-1]))
            if any(sorted(placeholder.findall(one or ids[-1])) != expected for one in strings):
                wrong.append(f"{language}: {message.id!r}")
    assert wrong == []


def test_french_messages_follow_french_typography(catalogs):
    assert catalogs.mistyped() == []


# Labels shown beside a person: their account kind and role, their role in a
# space, their account's state, an invitee. French genders an adjective or a noun
# by the person ("Ancienne salariée"); Ruche does not know the person's form, so
# each label is neutral: an epicene noun, or a word agreeing with "compte" or
# "personne" ("Personne salariée", "Compte inactif").
PERSON_LABELS = [
    "Employee",
    "Alumni",
    "Contractor",
    "Member",
    "Administrator",
    "Owner",
    "Moderator",
    "Manager",
    "Active",
    "Deactivated",
    "Inactive",
    "Invited",
    "Invited as",
    "Former account",
]
GENDERED = re.compile(
    r"\b(salarié|salariée|ancien|ancienne|actif|active|inactif|inactive|désactivée?|invitée?|"
    r"administrat(eur|rice)|modérat(eur|rice)|collaborat(eur|rice)|employée?)\b",
    re.IGNORECASE,
)


def test_french_labels_beside_a_person_are_neutral(catalogs):
    french = catalogs.load("fr")
    gendered = []
    for label in PERSON_LABELS:
        translated = french[label].string
        assert translated, label
        neutral_subject = re.match(r"(Compte|Personne) ", translated)
        if not neutral_subject and GENDERED.search(translated):
            gendered.append(f"{label!r}: {translated!r}")
    assert gendered == []


@pytest.mark.parametrize(
    ("text", "faults"),
    [
        ("Titre\u202f: %(title)s\u202f; suite\u202f! Vraiment\u202f?", 0),
        ("«\u202fpublic\u202f»", 0),
        # Not punctuation: an address, a time, placeholders glued, a query.
        ("https://example.com à 22:06, %(a)s:%(b)s, /search?q=x", 0),
        ("Titre : %(title)s", 1),  # a plain space
        ("Titre: %(title)s", 1),  # none
        ("Fin ; suite ! Vraiment?", 3),
        ("**Date** :\nsuite", 1),
        ("« public »", 1),
        ("“public”", 1),
        ('"public"', 1),
    ],
)
def test_the_typography_rule_finds_what_it_should(catalogs, text, faults):
    assert len(catalogs.typography_faults(text)) == faults


async def test_english_is_spoken_when_asked(client):
    error = expect_error(await client.get(ME, headers={"Accept-Language": "en"}), 401)

    assert error["message"] == "Sign in first."


async def test_french_is_spoken_when_asked_and_by_default(client):
    for headers in ({"Accept-Language": "fr-FR,fr;q=0.9"}, {}, {"Accept-Language": "de, it"}):
        error = expect_error(await client.get(ME, headers=headers), 401)
        assert error["message"] == "Connectez-vous d'abord."


async def test_the_preferred_language_of_the_header_wins(client):
    for header in ("de-DE, en;q=0.8, fr;q=0.5", "fr;q=0.2, en-GB"):
        error = expect_error(await client.get(ME, headers={"Accept-Language": header}), 401)
        assert error["message"] == "Sign in first."


async def test_validation_messages_are_translated(client):
    body = {"email": "a@example.com"}
    english = expect_error(
        await client.post(LOGIN, json=body, headers={"Accept-Language": "en"}), 422
    )
    french = expect_error(
        await client.post(LOGIN, json=body, headers={"Accept-Language": "fr"}), 422
    )

    assert english["message"].startswith("Invalid input: password")
    assert french["message"].startswith("Saisie invalide\u202f: password")


async def test_the_account_language_wins_over_the_header(make):
    member = await make.user(language="fr")
    client = await cookie_client(make, member)

    changed = await client.patch(ME, json={"language": "en"}, headers={"Accept-Language": "fr"})
    refused = await client.get(ADMIN_USERS, headers={"Accept-Language": "fr"})

    assert changed.status_code == 200, changed.text
    assert changed.json()["language"] == "en"
    assert expect_error(refused, 403, "forbidden")["message"] == "Only administrators may do this."
    page = await client.get("/settings", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in page.text


async def test_a_french_account_reads_french_whatever_the_header(make):
    member = await make.user(language="fr")
    client = await make.bearer(member)

    refused = await client.get(ADMIN_USERS, headers={"Accept-Language": "en"})

    error = expect_error(refused, 403, "token_scope")
    assert error["message"] == "Ce jeton n'a pas la portée admin."


async def test_an_unknown_language_preference_is_refused(make):
    member = await make.user()
    client = await make.bearer(member)

    for language in ("de", "", "EN-us", 1):
        expect_error(await client.patch(ME, json={"language": language}), 422, "invalid")
    assert (await client.get(ME)).json()["language"] == "fr"
