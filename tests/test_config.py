"""Settings derived from the environment."""

import pytest

from app.config import Settings


@pytest.mark.parametrize(
    ("public_url", "origin"),
    [
        ("https://Ruche.Example.com:443/", "https://ruche.example.com"),
        ("http://ruche.example.com:80/app", "http://ruche.example.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://ruche.example.com:8443", "https://ruche.example.com:8443"),
    ],
)
def test_the_public_origin_is_what_browsers_send(public_url, origin):
    """The websocket compares Origin with it exactly: browsers omit default ports."""
    assert Settings(public_url=public_url, _env_file=None).public_origin == origin


def test_the_websocket_origins_are_the_public_urls_and_the_allowed_ones():
    settings = Settings(
        public_url="https://ruche.example.com/",
        allowed_origins=" https://Intranet.example.com:443/ruche , http://10.0.0.5:8000,",
        _env_file=None,
    )

    assert settings.websocket_origins == {
        "https://ruche.example.com",
        "https://intranet.example.com",
        "http://10.0.0.5:8000",
    }
