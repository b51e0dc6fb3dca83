from allauth.idp.oidc.adapter import DefaultOIDCAdapter


class ProviderAdapter(DefaultOIDCAdapter):
    """The test provider says how each person signed in (``amr``, RFC 8176): its staff users
    stand for people who used a second factor there (``["pwd", "mfa"]``), everyone else for a
    password alone (``["pwd"]``)."""

    def get_claims(self, purpose, user, client, scopes, email=None, **kwargs):
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        if purpose == "id_token":
            claims["amr"] = ["pwd", "mfa"] if user.is_staff else ["pwd"]
        return claims
