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
