"""The audit log told in sentences (app.services.audit_entries): every action code
the code base records has one, in French and in English, with people and spaces
named and linked, and details in words."""

import ast
import re
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.i18n import current_language
from app.levels import Language
from app.models import AccessToken, Invitation
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.audit_entries import (
    ACTION_LABELS,
    SENTENCES,
    describe_all,
)

CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def recorded_codes() -> set[str]:
    """Every action code written as ``action="..."`` anywhere in app/ (conditional
    ones included), as record_audit and its callers take it."""
    codes = set()
    for path in Path(PROJECT_ROOT, "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "action":
                codes |= {
                    sub.value
                    for sub in ast.walk(node.value)
                    if isinstance(sub, ast.Constant)
                    and isinstance(sub.value, str)
                    and CODE.match(sub.value)
                }
    return codes


def test_every_recorded_action_has_a_sentence_and_a_filter_label():
    codes = recorded_codes()
    assert {"auth.sign_in", "membership.removed", "space.unarchived"} <= codes  # the scan works
    assert codes - {key.split("/")[0] for key in SENTENCES} == set()
    assert codes - set(ACTION_LABELS) == set()


@pytest.fixture
async def world(make, session):
    admin = await make.user(role="admin", clearance="secret", display_name="Julien Martin")
    marc = await make.user(kind="contractor", display_name="Marc Lambert")
    atlas = await make.space(owner=admin, name="Atlas", visibility="private")
    hidden = await make.space(visibility="secret", name="Projet Caché")
    token = AccessToken(
        user_id=admin.id, name="CI", token_hash="f" * 64, prefix="ruche_f", scopes="read"
    )
    invited = [
        Invitation(
            space_id=atlas.id,
            inviter_id=admin.id,
            invitee_id=invitee,
            email=email,
            token_hash=digit * 64,
            expires_at=utcnow(),
        )
        for invitee, email, digit in ((marc.id, None, "a"), (None, "new@example.test", "b"))
    ]
    session.add_all([token, *invited])
    await session.flush()
    return {
        "admin": admin,
        "marc": marc,
        "atlas": atlas,
        "hidden": hidden,
        "token": token,
        "to_marc": invited[0],
        "by_email": invited[1],
    }


# (sentence key, how the event is recorded, English, French)
CASES = [
    (
        "account.created",
        dict(actor="admin", target="marc", kind="contractor", role="member", clearance="public"),
        "Julien Martin created the account of Marc Lambert",
        "Julien Martin a créé le compte de Marc Lambert",
    ),
    (
        "account.updated",
        dict(
            actor="admin",
            target="marc",
            before={"clearance": "internal", "is_active": True},
            after={"clearance": "confidential", "is_active": False},
        ),
        "Julien Martin changed the account of Marc Lambert",
        "Julien Martin a modifié le compte de Marc Lambert",
    ),
    (
        "account.profile_changed",
        dict(actor="admin", target="marc", before={"site": ""}, after={"site": "Lyon"}),
        "Julien Martin changed the organisational profile of Marc Lambert",
        "Julien Martin a modifié le profil dans l'organisation de Marc Lambert",
    ),
    (
        "account.password_changed",
        dict(actor="marc", target="marc"),
        "Marc Lambert changed their password",
        "Marc Lambert a changé son mot de passe",
    ),
    (
        "account.offboarded",
        dict(actor="admin", target="marc", before={"kind": "employee"}, ended_space_ids=["atlas"]),
        "Julien Martin offboarded Marc Lambert",
        "Julien Martin a enregistré le départ de Marc Lambert",
    ),
    (
        "account.access_ended",
        dict(actor=None, target="marc"),
        "The access of Marc Lambert ended on its planned date",
        "L'accès de Marc Lambert a pris fin à la date prévue",
    ),
    (
        "auth.sign_in",
        dict(actor="marc", target="marc"),
        "Marc Lambert signed in",
        "Connexion de Marc Lambert",
    ),
    (
        "auth.sign_in_failed",
        dict(actor=None, target="marc", email="m@example.test"),
        "Failed sign-in to the account of Marc Lambert",
        "Échec de connexion au compte de Marc Lambert",
    ),
    (
        "auth.sign_in_failed/unknown",
        dict(actor=None, email="nobody@example.test"),
        "Failed sign-in with an unknown address, nobody@example.test",
        "Échec de connexion avec une adresse inconnue, nobody@example.test",
    ),
    (
        "token.created",
        dict(actor="admin", token="token", name="CI", scopes="read"),
        "Julien Martin created the access token “CI”",
        "Julien Martin a créé le jeton d'accès « CI »",
    ),
    (
        "token.revoked",
        dict(actor="admin", token="token"),
        "Julien Martin revoked the access token “CI”",
        "Julien Martin a révoqué le jeton d'accès « CI »",
    ),
    (
        "space.created",
        dict(actor="admin", space_target="atlas", visibility="private"),
        "Julien Martin created the space Atlas",
        "Julien Martin a créé l'espace Atlas",
    ),
    (
        "space.visibility_changed",
        dict(actor="admin", space_target="atlas", before="private", after="secret"),
        "Julien Martin changed the visibility of Atlas",
        "Julien Martin a changé la visibilité de Atlas",
    ),
    (
        "space.archived",
        dict(actor="admin", space_target="atlas"),
        "Julien Martin archived Atlas",
        "Julien Martin a archivé Atlas",
    ),
    (
        "space.unarchived",
        dict(actor="admin", space_target="atlas"),
        "Julien Martin took Atlas out of the archives",
        "Julien Martin a sorti Atlas des archives",
    ),
    (
        "space.ownership_transferred",
        dict(actor="admin", target="marc", space_id="atlas"),
        "Julien Martin handed the ownership of Atlas to Marc Lambert",
        "Julien Martin a transmis la propriété de Atlas à Marc Lambert",
    ),
    (
        "space.ownership_transferred/offboarding",
        dict(actor="admin", space_target="atlas", new_owner_id="marc", reason="offboarding"),
        "Marc Lambert became an owner of Atlas, its last owner having been offboarded",
        "Marc Lambert devient propriétaire de Atlas après le départ de son dernier propriétaire",
    ),
    (
        "invitation.created",
        dict(actor="admin", target="marc", space_id="atlas"),
        "Julien Martin invited Marc Lambert to Atlas",
        "Julien Martin a invité Marc Lambert dans Atlas",
    ),
    (
        "invitation.created/email",
        dict(actor="admin", space_id="atlas", email="new@example.test", external_kind="contractor"),
        "Julien Martin invited new@example.test to Atlas",
        "Julien Martin a invité new@example.test dans Atlas",
    ),
    (
        "invitation.revoked",
        dict(actor="admin", invitation="gone", space_id="atlas"),
        "Julien Martin withdrew an invitation to Atlas",
        "Julien Martin a retiré une invitation dans Atlas",
    ),
    (
        "invitation.revoked/person",
        dict(actor="admin", invitation="to_marc", space_id="atlas"),
        "Julien Martin withdrew the invitation of Marc Lambert to Atlas",
        "Julien Martin a retiré l'invitation de Marc Lambert dans Atlas",
    ),
    (
        "invitation.revoked/email",
        dict(actor="admin", invitation="by_email", space_id="atlas"),
        "Julien Martin withdrew the invitation of new@example.test to Atlas",
        "Julien Martin a retiré l'invitation de new@example.test dans Atlas",
    ),
    (
        "invitation.accepted",
        dict(actor="marc", target="marc", space_id="atlas"),
        "Marc Lambert accepted the invitation to Atlas",
        "Marc Lambert a accepté l'invitation dans Atlas",
    ),
    (
        "invitation.declined",
        dict(actor="marc", target="marc", space_id="atlas"),
        "Marc Lambert declined the invitation to Atlas",
        "Marc Lambert a décliné l'invitation dans Atlas",
    ),
    (
        "membership.added",
        dict(actor="admin", target="marc", space_id="atlas", role="moderator"),
        "Julien Martin added Marc Lambert to Atlas",
        "Julien Martin a ajouté Marc Lambert à Atlas",
    ),
    (
        "membership.added/self",
        dict(actor="marc", target="marc", space_id="atlas", role="member"),
        "Marc Lambert joined Atlas",
        "Marc Lambert a rejoint Atlas",
    ),
    (
        "membership.removed",
        dict(actor="admin", target="marc", space_id="atlas"),
        "Julien Martin removed Marc Lambert from Atlas",
        "Julien Martin a retiré Marc Lambert de Atlas",
    ),
    (
        "membership.left",
        dict(actor="marc", target="marc", space_id="atlas"),
        "Marc Lambert left Atlas",
        "Marc Lambert a quitté Atlas",
    ),
    (
        "membership.role_changed",
        dict(actor="admin", target="marc", space_id="atlas", before="member", after="moderator"),
        "Julien Martin changed the role of Marc Lambert in Atlas",
        "Julien Martin a changé le rôle de Marc Lambert dans Atlas",
    ),
    (
        "identity.linked",
        dict(actor="marc", target="marc", name="Corp ID", provider="oidc:https://id.corp.test"),
        "Marc Lambert's account was linked to their identity at “Corp ID”",
        "Le compte de Marc Lambert a été relié à son identité chez « Corp ID »",
    ),
    (
        "identity.linked/created",
        dict(actor="marc", target="marc", name="Corp ID", created=True),
        "The account of Marc Lambert was created at their first sign-in through “Corp ID”",
        "Le compte de Marc Lambert a été créé à sa première connexion par « Corp ID »",
    ),
    (
        "charter.updated",
        dict(actor="admin"),
        "Julien Martin updated the charter",
        "Julien Martin a modifié la charte",
    ),
    (
        "directory.synced",
        dict(actor=None, directory="directory", people=4, pages=2, create=3),
        "Ruche synced the directory",
        "Ruche a synchronisé l’annuaire",
    ),
    (
        "directory.linked",
        dict(actor=None, target="marc", directory="directory", subject="1234"),
        "The account of Marc Lambert was linked to their directory entry",
        "Le compte de Marc Lambert a été relié à sa fiche de l’annuaire",
    ),
    (
        "directory.profile_updated",
        dict(actor=None, target="marc", before={"site": "Lyon"}, after={"site": "Paris"}),
        "The directory updated the profile of Marc Lambert",
        "L’annuaire a mis à jour le profil de Marc Lambert",
    ),
    (
        "directory.manager_changed",
        dict(actor=None, target="marc", after={"manager": "Julien Martin <j@example.test>"}),
        "The directory changed the manager of Marc Lambert",
        "L’annuaire a changé le responsable de Marc Lambert",
    ),
    (
        "directory.returned",
        dict(actor=None, target="marc", directory="directory"),
        "Marc Lambert is enabled again in the directory",
        "Marc Lambert est de nouveau actif dans l’annuaire",
    ),
    (
        "directory.withdrawn",
        dict(actor=None, target="marc", directory="directory"),
        "Marc Lambert was disabled again in the directory",
        "Marc Lambert a de nouveau été désactivé dans l’annuaire",
    ),
    (
        "directory.return_decided",
        dict(actor="admin", target="marc", directory="directory", restored=False),
        "Julien Martin decided on the return of Marc Lambert",
        "Julien Martin a décidé du retour de Marc Lambert",
    ),
    (
        "audit.exported",
        dict(actor="admin", actions="auth", person_ids=["marc"]),
        "Julien Martin exported the audit log",
        "Julien Martin a exporté le journal d'audit",
    ),
    (
        "account.offboarded/scim",
        dict(actor=None, target="marc", before={"kind": "employee"}, client="entra"),
        "“entra” offboarded Marc Lambert",
        "« entra » a enregistré le départ de Marc Lambert",
    ),
    (
        "membership.removed/scim",
        dict(actor=None, target="marc", space_id="atlas", client="entra", group_id=1),
        "“entra” removed Marc Lambert from Atlas",
        "« entra » a retiré Marc Lambert de Atlas",
    ),
    (
        "scim.client_created",
        dict(actor="admin", name="entra", default_kind="employee"),
        "Julien Martin created the SCIM client “entra”",
        "Julien Martin a créé le client SCIM « entra »",
    ),
    (
        "scim.client_revoked",
        dict(actor="admin", name="entra"),
        "Julien Martin revoked the SCIM client “entra”",
        "Julien Martin a révoqué le client SCIM « entra »",
    ),
    (
        "scim.token_rotated",
        dict(actor="admin", name="entra"),
        "Julien Martin gave the SCIM client “entra” a new token",
        "Julien Martin a donné un nouveau jeton au client SCIM « entra »",
    ),
    (
        "scim.user_created",
        dict(actor=None, target="marc", client="entra", changed=["name"]),
        "“entra” created the account of Marc Lambert",
        "« entra » a créé le compte de Marc Lambert",
    ),
    (
        "scim.user_adopted",
        dict(actor=None, target="marc", client="entra", changed=[]),
        "“entra” took on the existing account of Marc Lambert",
        "« entra » a pris en charge le compte existant de Marc Lambert",
    ),
    (
        "scim.user_updated",
        dict(actor=None, target="marc", client="entra", changed=["title"]),
        "“entra” changed the account of Marc Lambert",
        "« entra » a modifié le compte de Marc Lambert",
    ),
    (
        "scim.user_deactivated",
        dict(actor=None, target="marc", client="entra", kind="alumni"),
        "“entra” deactivated Marc Lambert",
        "« entra » a désactivé Marc Lambert",
    ),
    (
        "scim.user_reactivated",
        dict(actor=None, target="marc", client="entra", kind="employee"),
        "“entra” re-activated Marc Lambert",
        "« entra » a réactivé Marc Lambert",
    ),
    (
        "scim.user_deleted",
        dict(actor=None, target="marc", client="entra"),
        "“entra” stopped provisioning Marc Lambert",
        "« entra » a cessé de provisionner Marc Lambert",
    ),
    (
        "scim.group_created",
        dict(actor=None, client="entra", name="Engineering"),
        "“entra” created the group “Engineering”",
        "« entra » a créé le groupe « Engineering »",
    ),
    (
        "scim.group_updated",
        dict(actor=None, client="entra", name="Engineering"),
        "“entra” changed the group “Engineering”",
        "« entra » a modifié le groupe « Engineering »",
    ),
    (
        "scim.group_deleted",
        dict(actor=None, client="entra", name="Engineering"),
        "“entra” deleted the group “Engineering”",
        "« entra » a supprimé le groupe « Engineering »",
    ),
    (
        "scim.group_linked",
        dict(actor="admin", name="Engineering"),
        "Julien Martin changed the space the group “Engineering” leads to",
        "Julien Martin a changé l’espace auquel mène le groupe « Engineering »",
    ),
    (
        "scim.space_granted",
        dict(actor=None, target="marc", client="entra", space_id="atlas", group_id=1),
        "“entra” added Marc Lambert to Atlas through a group",
        "« entra » a ajouté Marc Lambert à Atlas par un groupe",
    ),
    (
        "scim.space_refused",
        dict(actor=None, target="marc", client="entra", space_id="atlas", group_id=1),
        "“entra” could not add Marc Lambert to Atlas",
        "« entra » n’a pas pu ajouter Marc Lambert à Atlas",
    ),
]


def test_every_sentence_is_tested_here():
    assert {case[0] for case in CASES} == set(SENTENCES)


def record(session, world, key: str, spec: dict):
    """An event as the services record it, people and spaces named by the world's keys."""
    spec = dict(spec)
    actor = spec.pop("actor")
    fields = {"actor": world[actor] if actor else None}
    if "target" in spec:
        fields["target"] = world[spec.pop("target")]
    if "space_target" in spec:
        fields |= {"target_type": "space", "target_id": world[spec.pop("space_target")].id}
    if "token" in spec:
        fields |= {"target_type": "token", "target_id": world[spec.pop("token")].id}
    if "invitation" in spec:
        invitation = world.get(spec.pop("invitation"))  # "gone": no such invitation
        fields |= {"target_type": "invitation", "target_id": invitation.id if invitation else 10**9}
    for name in ("space_id", "new_owner_id"):
        if name in spec:
            spec[name] = world[spec[name]].id
    for name in ("ended_space_ids", "person_ids"):
        if name in spec:
            spec[name] = [world[item].id for item in spec[name]]
    return record_audit(session, action=key.split("/")[0], **fields, **spec)


@pytest.mark.parametrize(("key", "spec", "english", "french"), CASES, ids=[c[0] for c in CASES])
async def test_each_action_reads_as_a_sentence_in_both_languages(
    session, world, key, spec, english, french
):
    event = record(session, world, key, spec)
    await session.flush()
    told = {}
    for language in (Language.EN, Language.FR):
        token = current_language.set(language)
        try:
            [entry] = await describe_all(session, viewer=world["admin"], events=[event])
            told[language] = entry
        finally:
            current_language.reset(token)
    assert told[Language.EN].key == key
    assert told[Language.EN].text() == english
    assert told[Language.FR].text() == french.replace("« ", "«\u202f").replace(" »", "\u202f»")


async def test_details_links_and_spaces_the_admin_may_not_know_of(session, world):
    admin, marc, atlas, hidden = (world[k] for k in ("admin", "marc", "atlas", "hidden"))
    changed = record_audit(
        session,
        action="account.updated",
        actor=admin,
        target=marc,
        before={"clearance": "internal", "access_ends_at": None},
        after={"clearance": "confidential", "access_ends_at": "2027-01-31T00:00:00+00:00"},
    )
    secret = record_audit(
        session, action="space.archived", actor=admin, target_type="space", target_id=hidden.id
    )
    gone = record_audit(
        session, action="space.archived", actor=admin, target_type="space", target_id=10**9
    )
    named = record_audit(
        session,
        action="membership.added",
        actor=admin,
        target=marc,
        space_id=atlas.id,
        role="moderator",
    )
    await session.flush()
    token = current_language.set(Language.EN)
    try:
        entries = await describe_all(session, viewer=admin, events=[changed, secret, gone, named])
    finally:
        current_language.reset(token)
    assert entries[0].details == [
        "Clearance: Internal → Confidential",
        "Access ends: none → Jan 31, 2027",
    ]
    assert entries[1].text() == "Julien Martin archived a secret space you are not a member of"
    assert "Projet Caché" not in entries[1].html()
    assert entries[2].text() == "Julien Martin archived a deleted space"
    assert entries[3].details == ["Role: Moderator"]
    assert entries[3].html() == (
        f'<a href="/admin/users/{admin.id}">Julien Martin</a> added '
        f'<a href="/admin/users/{marc.id}">Marc Lambert</a> to '
        f'<a href="/spaces/{atlas.id}">Atlas</a>'
    )


async def test_names_are_escaped_in_the_sentence(make, session, world):
    sly = await make.user(display_name='<img src=x onerror="alert(1)">')
    event = record_audit(session, action="charter.updated", actor=sly)
    await session.flush()
    [entry] = await describe_all(session, viewer=world["admin"], events=[event])
    assert "<img" not in entry.html() and "&lt;img" in entry.html()
