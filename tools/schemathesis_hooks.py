"""Schemathesis hooks for tools/fuzz_api.py (loaded through SCHEMATHESIS_HOOKS, in
Schemathesis's own virtualenv: nothing of Ruche is importable here).

- The run authenticates with one personal access token per role. Revoking a
  token is worth fuzzing, but revoking *that* one would turn every later request
  of the run into a 401 and blind it: a request to revoke it is sent for an id
  that names no token instead, which exercises the same route and its 404. Both
  the coverage phase (the smallest id) and the stateful one (the ids GET
  /me/tokens lists) send it, so this is no theoretical case.
- A schema-valid request refused for a reason no request schema can state is not
  a finding. The statuses that always mean such a reason are in
  tools/schemathesis.toml; the refusals below answer 401 or 422, which are
  findings otherwise, and are told apart by the error code Ruche answers with.
  A code missing here is a finding until someone decides which kind it is.
"""

import os

import schemathesis

# As text: some phases hold path parameters as the text they send.
TOKEN_IN_USE = os.environ["RUCHE_FUZZ_TOKEN_ID"]
MISSING_ID = os.environ["RUCHE_FUZZ_MISSING_ID"]

# Error codes (docs/api.md) of refusals that depend on what the request does not
# carry: stored data, the clock, who asks. A rule of the request's own shape
# (lengths, patterns, enums, which fields go together) is not here: the schema
# can state it, and a refusal of a request it allows is a finding.
UNSTATABLE = {
    # Secrets: which e-mail and password pair is an account's, what the current
    # password is.
    "sign_in_failed",
    "wrong_password",
    # The clock: an expiry, an end of access or a poll's close in the future, and
    # not too far.
    "expired",
    "access_end_required",
    "access_end_too_far",
    # The stored items a request names: a page moved under itself or into
    # another wiki, a reply to a reply, a revision the page does not have, a
    # level below the container's, a share or page readable wider than its
    # original or parent, a confirmation of what is not an announcement, an
    # answer to what is not a question.
    "cycle",
    "parent_elsewhere",
    "depth",
    "unknown_revision",
    "write_down",
    "share_widens_readers",
    "wider_than_parent",
    "not_announcement",
    "not_question",
    # The people and spaces named: an audience or an account the viewer may not
    # know of, an external's clearance or role, a space closed to externals.
    "unknown_audience",
    "unknown_account",
    "external_clearance",
    "external_manager",
    "externals_not_allowed",
    # A poll's own options and whether it takes several (a vote names them).
    "unknown_option",
    "one_choice",
    # Who asks: the admin scope for a token of a non-administrator.
    "scope_not_allowed",
    # Files: what the bytes are (a type, an image that decodes, not empty, not a
    # bomb of pixels), the uploads and folders an id names (one's own new upload,
    # a folder of this space), the names and counts already there.
    "file_type",
    "bad_image",
    "empty_file",
    "image_too_large",
    "unknown_file",
    "unknown_folder",
    "duplicate_name",
    "too_many_files",
    "too_many_folders",
    # A profile's manager: an active employee, not the person, nor anyone who
    # reports to them; the years an alumnus left after those they joined, as
    # stored (a request may send one of the two).
    "invalid_manager",
    "manager_cycle",
    "own_manager",
    "invalid_years",
    # A name with a format or separator character of Unicode (categories Cf, Zl,
    # Zp...): beyond the regular expressions JSON Schema shares with every client.
    "bad_name",
    # A topic of "who knows" with no word, #tag or phrase once parsed (only
    # @handles, -exclusions or punctuation), or with more terms than a search takes.
    "empty_topic",
    "query_too_long",
    # A search whose text holds no word once parsed: punctuation only, only
    # exclusions, or words longer than any indexed (40 characters: hashes, not words).
    "empty_query",
    # A period whose start is after its end: JSON Schema compares no two values.
    "invalid_dates",
    # Calendars: two values compared (an event ending before it starts, a
    # repetition ending before it, a period backwards or over 400 days), the
    # time zone database (a well-formed name no zone has), a day the calendar
    # lacks (30 February, which the date pattern lets through), and an
    # occurrence named by a start the stored event does not have.
    "event_ends_before_start",
    "repetition_ends_too_soon",
    "period",
    "time_zone",
    "event_time",
    "occurrence",
    # Webhooks: the addresses a target's host resolves to (DNS, and the hosts an
    # administrator allows), and how many hooks the space already has.
    "webhook_target",
    "too_many_hooks",
    # Tasks: the kind of the space named, who is a member of it and may read
    # the task, what a link names in it, how many items a checklist holds.
    "not_project_space",
    "unknown_assignee",
    "unknown_link",
    "checklist_full",
    # Idea campaigns: the clock (a deadline in the future), the space named (an
    # innovation space), and who may read the idea a new project space would
    # tell of (that space's visibility against the idea's readers).
    "deadline_passed",
    "not_innovation_space",
    "project_widens_readers",
}
# Every next_cursor the server gave. A cursor is opaque: any string of the right
# length is schema-valid and only an issued one is valid, so refusing a made-up
# one is not a finding; refusing an issued one is.
issued_cursors: set[str] = set()


@schemathesis.hook
def before_call(context, case, kwargs):
    if (
        case.method == "DELETE"
        and case.operation.path.endswith("/me/tokens/{token_id}")
        and str(case.path_parameters.get("token_id")) == TOKEN_IN_USE
    ):
        case.path_parameters["token_id"] = MISSING_ID


@schemathesis.hook
def after_call(context, case, response):
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("next_cursor"), str):
        issued_cursors.add(body["next_cursor"])


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keeps every failure but a refusal of valid data for an UNSTATABLE reason."""
    if failure.code != "ST202":  # Schema-valid request rejected
        return True
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return True
    if code == "invalid_cursor":
        return (case.query or {}).get("cursor") in issued_cursors
    return code not in UNSTATABLE
