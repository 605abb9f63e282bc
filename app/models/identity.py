"""Who a person is to the company's identity systems.

One row per system that knows the person: the OpenID Connect provider that
signs them in (its issuer, their ``sub``), the LDAP directory that lists them
(its name, their entry's ``entryUUID``), the SCIM client that provisions them
(its name, their ``externalId``). Ruche's own account stays the one record of
the person; these rows only say under which name each system knows it, so a
sign-in, a sync and a provisioning call all find the same account and none
matches people by a name they could change.
"""

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk


class IdentityLink(Base):
    __tablename__ = "identity_links"
    __table_args__ = (
        UniqueConstraint("provider", "subject", name="uq_identity_links_provider_subject"),
        # One account per person in each system.
        UniqueConstraint("provider", "user_id", name="uq_identity_links_provider_user_id"),
        Index("ix_identity_links_user_id", "user_id"),
    )

    id: Mapped[IdPk]
    # "oidc:<issuer>", "ldap:<directory name>" or "scim:<client name>".
    provider: Mapped[str] = mapped_column(String(255))
    # The system's own stable name for the person (never an e-mail address).
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[CreatedAt]

    @property
    def system(self) -> tuple[str, str]:
        """The kind of system ("oidc", "ldap" or "scim") and its name there
        (the issuer, the directory's or the client's name), for pages."""
        kind, _, name = self.provider.partition(":")
        return kind, name
