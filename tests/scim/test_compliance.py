"""The scim2-tester compliance checker against a real server (uvicorn on a free
port, its own fresh database of the kind under test): every check it makes
must pass, or be skipped for an optional feature Ruche does not offer."""

from tests.conftest import create_fresh_database, drop_database
from tools.scim_compliance import failures, report, run_checker


async def test_scim2_tester_finds_no_error(tmp_path):
    database_url = await create_fresh_database(tmp_path)
    try:
        results = await run_checker(tmp_path, database_url)
    finally:
        await drop_database(database_url)
    assert len(results) > 70
    assert failures(results) == [], report(failures(results))
