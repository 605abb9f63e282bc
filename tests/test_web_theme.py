"""The colour theme chosen per browser (app/web/theme.py): a cookie the server
reads, so the page comes with its theme on <html> and the first paint is right."""

import pytest

from tests.test_web_pages import BROWSER, sign_in_with_form


async def choose(client, csrf: str, theme: str, back: str = "/spaces"):
    return await client.post(
        "/settings/theme",
        data={"theme": theme, "next": back, "csrf_token": csrf},
        headers=BROWSER,
    )


async def html_tag(client) -> str:
    page = await client.get("/settings", headers=BROWSER)
    assert page.status_code == 200
    return page.text[page.text.index("<html") : page.text.index(">", page.text.index("<html")) + 1]


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_a_chosen_theme_is_rendered_by_the_server(client, make, theme):
    csrf = await sign_in_with_form(client, await make.user(language="en"))
    assert "data-theme" not in await html_tag(client)  # as the system

    chosen = await choose(client, csrf, theme)

    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/spaces"
    assert f'data-theme="{theme}"' in await html_tag(client)
    settings = (await client.get("/settings", headers=BROWSER)).text
    assert f'value="{theme}" aria-pressed="true"' in settings


async def test_as_the_system_forgets_the_choice(client, make):
    csrf = await sign_in_with_form(client, await make.user(language="en"))
    await choose(client, csrf, "dark")

    back = await choose(client, csrf, "system", back="/settings")

    assert back.headers["location"] == "/settings"
    assert "ruche_theme" not in client.cookies
    assert "data-theme" not in await html_tag(client)


async def test_a_theme_leads_back_only_within_ruche_and_unknown_ones_are_refused(client, make):
    csrf = await sign_in_with_form(client, await make.user(language="en"))

    assert (await choose(client, csrf, "dark", back="//evil.example")).headers["location"] == "/"
    assert (await choose(client, csrf, "neon")).status_code == 422
    client.cookies.set("ruche_theme", '"><script>')
    assert "data-theme" not in await html_tag(client)


async def test_choosing_a_theme_needs_the_forms_token(client, make):
    await sign_in_with_form(client, await make.user(language="en"))

    refused = await client.post("/settings/theme", data={"theme": "dark"}, headers=BROWSER)

    assert refused.status_code == 403
    assert "ruche_theme" not in client.cookies
