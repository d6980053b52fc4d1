"""OAuth2 sign-in against a private Dovecot with an oauth2 passdb and a loopback identity provider."""
