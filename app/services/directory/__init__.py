"""Directory sync (LDAP, Active Directory): docs/directory.md."""
