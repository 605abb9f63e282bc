"""A message translated in a template is trusted markup (Jinja's new-style gettext
under autoescape), so a literal "<token>" in it is read by the browser as a tag and
vanishes. Code and placeholders go into a message as %(variables)s, which are
escaped; no message of a template may hold "<" or ">", in either language."""

from babel.messages.pofile import read_po

from tools.catalogs import po_path


def test_no_template_message_holds_angle_brackets():
    offending = []
    for language in ("en", "fr"):
        with po_path(language).open("rb") as po_file:
            catalog = read_po(po_file)
        for message in catalog:
            in_template = any(
                path.startswith("frontend/templates") for path, _ in message.locations
            )
            texts = [message.id, message.string]
            if in_template and any("<" in str(text) or ">" in str(text) for text in texts):
                offending.append((language, message.id))
    assert offending == []
