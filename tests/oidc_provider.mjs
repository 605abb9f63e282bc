// A real OpenID Connect provider for the tests of Ruche's sign-in (tests/oidc_server.py):
// the npm package oidc-provider, its development login form (any password), the
// accounts given as JSON in OIDC_ACCOUNTS, clients registered by the tests through
// dynamic client registration (RFC 7591) once they know their redirect address.
// Listens on a free port of 127.0.0.1 and prints "READY <issuer>" when it serves.
import http from 'node:http';

import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const server = http.createServer();

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'department', 'job_title', 'manager_email', 'groups'],
    },
    // The mapped claims in the ID token itself, as Keycloak and Entra ID put them;
    // OIDC_CLAIMS_AT_USERINFO=1: at the UserInfo endpoint only, as Okta does on
    // the code flow (oidc-provider's default).
    conformIdTokenClaims: process.env.OIDC_CLAIMS_AT_USERINFO === '1',
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    cookies: { keys: ['ruche-tests-only'] },
    // A first-party client: consent is given once the person signs in.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope);
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (ctx, error) => console.error(error));
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
