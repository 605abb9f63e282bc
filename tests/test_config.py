"""Settings derived from the environment."""

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.files.store import LocalStore, open_store


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


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"file_store": "s3"}, "needs RUCHE_S3_BUCKET"),
        ({"file_store": "s3", "s3_bucket": "b", "s3_access_key_id": "k"}, "go together"),
        ({"file_store": "s3", "s3_bucket": "b", "s3_secret_access_key": "s"}, "go together"),
        ({"file_store": "nfs"}, "'local' or 's3'"),
    ],
)
def test_an_incomplete_file_store_is_refused_at_start(given, refusal):
    """Told when Ruche starts, not at the first upload."""
    with pytest.raises(ValidationError, match=refusal):
        Settings(_env_file=None, **given)


def test_files_are_kept_on_this_machine_unless_told_otherwise(tmp_path):
    store = open_store(Settings(var_dir=tmp_path, _env_file=None))

    assert isinstance(store, LocalStore) and store.root == tmp_path / "files"
