"""Reads the company directory over LDAP (ldap3, which parses the server's
answers): its people, which of them are disabled, and the members of the mapped
groups (nested groups followed). Blocking I/O, run in a thread; nothing here
touches the database."""

import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import ldap3
from ldap3.core.exceptions import LDAPException, LDAPNoSuchObjectResult
from ldap3.utils.dn import parse_dn

from app.config import Settings

# RFC 2696, the simple paged results control.
PAGED_RESULTS = "1.2.840.113556.1.4.319"
# Longer values are cut to what the fields hold (app/models/user.py).
FIELD_LENGTHS = {
    "display_name": 120,
    "email": 254,
    "job_title": 120,
    "department": 120,
    "site": 120,
    "phone": 40,
}


# Groups nested under one mapped group, at most (``_group_people``).
MAX_NESTED_GROUPS = 500


class DirectoryError(Exception):
    """The directory could not be read whole: the sync changes nothing."""


@dataclass(frozen=True)
class DirectoryPerson:
    dn: str  # normalised (normal_dn)
    subject: str  # entryUUID, or objectGUID as a UUID
    enabled: bool
    fields: dict[str, str]  # Ruche field -> value, for the mapped fields found
    manager_dn: str | None


@dataclass
class DirectorySnapshot:
    people: list[DirectoryPerson]
    # Mapped group DN -> the normalised DNs of the people in it (nested groups
    # followed); a group not found is absent.
    groups: dict[str, set[str]] = field(default_factory=dict)
    missing_groups: list[str] = field(default_factory=list)
    pages: int = 0


def normal_dn(dn: str) -> str:
    """One spelling per DN (attribute names and values lower-cased, no spaces
    around separators), so that a manager or a group member named by DN finds
    its entry."""
    return "".join(
        f"{name.lower()}={value.lower()}{separator}"
        for name, value, separator in parse_dn(dn, escape=False, strip=True)
    )


def subject_of(raw: bytes) -> str:
    """entryUUID is text; Active Directory's objectGUID is 16 bytes, little-endian."""
    if len(raw) == 16:
        return str(uuid.UUID(bytes_le=raw))
    return raw.decode("utf-8").strip().lower()


def read_directory(settings: Settings) -> DirectorySnapshot:
    try:
        with _connect(settings) as connection:
            return _read(connection, settings)
    except LDAPException as error:
        raise DirectoryError(f"{type(error).__name__}: {error}") from error


def _connect(settings: Settings) -> ldap3.Connection:
    # Python's default context (no old protocol), the certificate required;
    # ldap3 then checks the host name against it.
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ldap_ca_file or None)
    server = ldap3.Server(
        settings.ldap_url,
        tls=tls,
        get_info=ldap3.NONE,
        connect_timeout=settings.ldap_timeout_seconds,
    )
    connection = ldap3.Connection(
        server,
        user=settings.ldap_bind_dn or None,
        password=settings.ldap_bind_password.get_secret_value() or None,
        read_only=True,
        raise_exceptions=True,
        receive_timeout=settings.ldap_timeout_seconds,
        # Active Directory hands large groups' members in ranges; ldap3 asks for
        # the rest.
        auto_range=True,
    )
    connection.open()
    if settings.ldap_start_tls:
        connection.start_tls()
    connection.bind()
    return connection


def _read(connection: ldap3.Connection, settings: Settings) -> DirectorySnapshot:
    attribute_map = {name: attr for name, attr in settings.ldap_attribute_map.items() if attr}
    id_attribute = settings.ldap_id_attribute
    snapshot = DirectorySnapshot(people=[])
    disabled: set[str] = set()
    if settings.ldap_disabled_rule:
        disabled_filter = f"(&{settings.ldap_user_filter}{settings.ldap_disabled_rule})"
        for entry in _paged(connection, settings, disabled_filter, [id_attribute], snapshot):
            disabled.add(entry["dn"])
    wanted = [id_attribute, *attribute_map.values()]
    for entry in _paged(connection, settings, settings.ldap_user_filter, wanted, snapshot):
        values = {name.lower(): found for name, found in entry["raw_attributes"].items()}
        ids = values.get(id_attribute.lower())
        if not ids:
            continue  # not a person Ruche can follow across renames
        fields = {
            name: _text(values[attr.lower()][0])[: FIELD_LENGTHS[name]]
            for name, attr in attribute_map.items()
            if name in FIELD_LENGTHS and values.get(attr.lower())
        }
        manager = values.get(attribute_map.get("manager", "").lower())
        snapshot.people.append(
            DirectoryPerson(
                dn=entry["dn"],
                subject=subject_of(ids[0]),
                enabled=entry["dn"] not in disabled,
                fields=fields,
                manager_dn=normal_dn(_text(manager[0])) if manager else None,
            )
        )
        if len(snapshot.people) > settings.ldap_max_people:
            raise DirectoryError(
                f"more than RUCHE_LDAP_MAX_PEOPLE ({settings.ldap_max_people}) people"
            )
    people = {person.dn for person in snapshot.people}
    members_of: dict[str, set[str] | None] = {}
    for group_dn in settings.ldap_groups:
        members = _group_people(
            connection, group_dn, settings.ldap_group_member_attribute, people, members_of
        )
        if members is None:
            snapshot.missing_groups.append(group_dn)
        else:
            snapshot.groups[group_dn] = members
    return snapshot


def _paged(
    connection: ldap3.Connection,
    settings: Settings,
    search_filter: str,
    attributes: list[str],
    snapshot: DirectorySnapshot,
) -> Iterator[dict]:
    """Every entry under every base DN, a page at a time (the server's size limit
    applies to a page, not to the search)."""
    for base_dn in settings.ldap_base_dns:
        cookie = None
        while True:
            connection.search(
                base_dn,
                search_filter,
                search_scope=ldap3.SUBTREE,
                attributes=attributes,
                paged_size=settings.ldap_page_size,
                paged_cookie=cookie,
            )
            snapshot.pages += 1
            for entry in connection.response:
                if entry.get("type") == "searchResEntry":
                    yield {"dn": normal_dn(entry["dn"]), "raw_attributes": entry["raw_attributes"]}
            control = connection.result.get("controls", {}).get(PAGED_RESULTS, {})
            cookie = control.get("value", {}).get("cookie")
            if not cookie:
                break


def _group_people(
    connection: ldap3.Connection,
    group_dn: str,
    attribute: str,
    people: set[str],
    members_of: dict[str, set[str] | None],
) -> set[str] | None:
    """The people read (``people``: their DNs) who are members of the group or
    of a group nested in it, at any depth — as Active Directory counts a
    security group's members, and as companies nest teams in departments; None
    when the group itself cannot be read. A member that is neither a person
    read nor a group (someone outside the base DNs, a computer) counts for
    nothing; a group met twice (a cycle) is read once, and each entry once a
    run (``members_of``, shared by the mapped groups). More than
    ``MAX_NESTED_GROUPS`` groups under one mapped group: the directory is not
    read (nothing changes)."""
    members = _members_once(connection, group_dn, attribute, members_of)
    if members is None:
        return None
    found: set[str] = set()
    seen, groups = {normal_dn(group_dn)}, 0
    pending = list(members)
    while pending:
        member = pending.pop()
        if member in people:
            found.add(member)
            continue
        if member in seen:
            continue
        seen.add(member)
        nested = _members_once(connection, member, attribute, members_of)
        if nested:  # a group (an entry with members), not a person or a computer
            groups += 1
            if groups > MAX_NESTED_GROUPS:
                raise DirectoryError(f"more than {MAX_NESTED_GROUPS} groups nested in {group_dn}")
            pending.extend(nested)
    return found


def _members_once(
    connection: ldap3.Connection,
    dn: str,
    attribute: str,
    members_of: dict[str, set[str] | None],
) -> set[str] | None:
    key = normal_dn(dn)
    if key not in members_of:
        members_of[key] = _group_members(connection, dn, attribute)
    return members_of[key]


def _group_members(connection: ldap3.Connection, group_dn: str, attribute: str) -> set[str] | None:
    try:
        connection.search(
            group_dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=[attribute]
        )
    except LDAPNoSuchObjectResult:
        return None
    if not connection.response:
        return None
    found = {name.lower(): values for name, values in connection.response[0]["attributes"].items()}
    return {normal_dn(member) for member in found.get(attribute.lower(), [])}


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()
