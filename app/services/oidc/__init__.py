"""Single sign-on through the company's OpenID Connect providers (docs/sso.md):
``protocol`` speaks to the provider, ``people`` finds or makes the account."""
