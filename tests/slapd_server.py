"""A real LDAP directory for the directory sync's tests: Debian's ``slapd``
(package slapd), configured by a slapd.conf in a temporary directory (the mdb
backend; the core, cosine and inetOrgPerson schemas), filled offline by
``slapadd`` from an LDIF, then listening on two free ports of 127.0.0.1: plain
LDAP (which StartTLS upgrades) and LDAPS, with a certificate for 127.0.0.1 and
localhost signed by a CA made for the run (``openssl``).

Its size limit is below the number of entries of ``ou=crowd``: only a paged
search (RFC 2696) reads them all, as in a large company's directory.
"""

import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ldap3
import pytest

from tests.live_server import free_port

SUFFIX = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "not-a-secret"
# The account Ruche binds as: limits apply to it (never to the rootdn).
SYNC_DN = f"cn=ruche,{SUFFIX}"
SYNC_PASSWORD = "also-not-a-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
CROWD = f"ou=crowd,{SUFFIX}"
CROWD_SIZE = 1_000
SIZE_LIMIT = 200
READY_TIMEOUT_SECONDS = 20.0

CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {home}/slapd.pid
TLSCACertificateFile {home}/ca.pem
TLSCertificateFile {home}/server.pem
TLSCertificateKeyFile {home}/server.key
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit size.soft={size_limit} size.hard={size_limit} size.prtotal=unlimited
database mdb
maxsize 104857600
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {home}/data
index objectClass eq
index entryUUID eq
"""


def person(uid: str, name: str, *, ou: str = PEOPLE, **attributes: str) -> str:
    """One inetOrgPerson; ``employeeType: disabled`` is the tests' disabled rule."""
    lines = [
        f"dn: uid={uid},{ou}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name}",
        f"sn: {name.split()[-1]}",
        f"displayName: {name}",
    ]
    lines += [f"{key}: {value}" for key, value in attributes.items()]
    return "\n".join(lines) + "\n"


def starting_directory() -> str:
    """A boss, two of her team (one in Lyon), a disabled account, an engineering
    group; and a crowd of CROWD_SIZE people under their own branch."""
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\n"
        "dc: example\no: Example\n",
        f"dn: {SYNC_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: ruche\nuserPassword: {SYNC_PASSWORD}\n",
        *(
            f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}\n"
            for ou in ("people", "groups", "crowd")
        ),
        person(
            "boss",
            "Béatrice Patron",
            mail="boss@example.com",
            title="CEO",
            departmentNumber="Direction",
            l="Paris",
            telephoneNumber="+33 1 00 00 00 01",
        ),
        person(
            "alice",
            "Alice Martin",
            mail="Alice@Example.com",
            title="Engineer",
            departmentNumber="R&D",
            l="Paris",
            manager=f"uid=boss,{PEOPLE}",
        ),
        person(
            "bob",
            "Bob Durand",
            mail="bob@example.com",
            title="Designer",
            departmentNumber="R&D",
            l="Lyon",
            manager=f"uid=boss,{PEOPLE}",
        ),
        person("gone", "Gaston Parti", mail="gone@example.com", employeeType="disabled"),
        f"dn: cn=engineering,{GROUPS}\nobjectClass: groupOfNames\ncn: engineering\n"
        f"member: uid=alice,{PEOPLE}\nmember: uid=bob,{PEOPLE}\n",
        *(
            person(f"p{n:04d}", f"Person {n:04d}", ou=CROWD, mail=f"p{n:04d}@crowd.example.com")
            for n in range(CROWD_SIZE)
        ),
    ]
    return "\n".join(entries)


@dataclass
class Slapd:
    url: str
    ldaps_url: str
    ca_file: Path

    def connect(self) -> ldap3.Connection:
        """As the directory's administrator, to change it during a test."""
        return ldap3.Connection(
            ldap3.Server(self.url, get_info=ldap3.NONE),
            user=ROOT_DN,
            password=ROOT_PASSWORD,
            auto_bind=True,
            raise_exceptions=True,
        )


@pytest.fixture(scope="module")
def slapd(tmp_path_factory) -> Iterator[Slapd]:
    assert shutil.which("slapd", path="/usr/sbin:/usr/bin"), (
        "slapd is needed for the directory sync's tests (Debian: apt-get install slapd ldap-utils)"
    )
    home = tmp_path_factory.mktemp("slapd")
    (home / "data").mkdir()
    config = home / "slapd.conf"
    config.write_text(
        CONFIG.format(
            home=home,
            size_limit=SIZE_LIMIT,
            suffix=SUFFIX,
            root_dn=ROOT_DN,
            root_password=ROOT_PASSWORD,
        )
    )
    ldif = home / "directory.ldif"
    ldif.write_text(starting_directory())
    subprocess.run(
        ["/usr/sbin/slapadd", "-q", "-f", str(config), "-l", str(ldif)],
        check=True,
        capture_output=True,
    )
    _make_certificates(home)
    directory = Slapd(
        url=f"ldap://127.0.0.1:{free_port()}",
        ldaps_url=f"ldaps://127.0.0.1:{free_port()}",
        ca_file=home / "ca.pem",
    )
    # -d keeps it in the foreground, a child of the tests that they stop.
    server = subprocess.Popen(
        [
            "/usr/sbin/slapd",
            "-f",
            str(config),
            "-h",
            f"{directory.url}/ {directory.ldaps_url}/",
            "-d",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_listening(directory, server)
        yield directory
    finally:
        server.terminate()
        server.wait(timeout=10)


def _make_certificates(home: Path) -> None:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=home, check=True, capture_output=True)

    key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    openssl(
        "req",
        "-x509",
        *key,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Ruche test CA",
    )
    openssl("req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (home / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.cnf",
    )


def _wait_until_listening(directory: Slapd, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"slapd stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            directory.connect().unbind()
            return
        except ldap3.core.exceptions.LDAPException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
