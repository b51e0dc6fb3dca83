"""``python -m tests.accounts.oidc_provider.populate SPEC``: the provider's people and the one
client (MentorHaven), from a JSON spec: {"client_id", "client_secret", "redirect_uris",
"post_logout_redirect_uris", "people": [{"email", "password", "mfa"}]}. Prints each person's
subject identifier at the provider, by address, as JSON."""

import json
import sys

import django


def main(spec: dict) -> None:
    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.idp.oidc.adapter import get_adapter
    from allauth.idp.oidc.models import Client
    from django.contrib.auth import get_user_model

    User = get_user_model()
    subjects = {}
    for person in spec["people"]:
        user = User.objects.create_user(
            username=person["email"].split("@")[0],
            email=person["email"],
            password=person["password"],
            is_staff=person.get("mfa", False),
        )
        EmailAddress.objects.create(user=user, email=person["email"], verified=True, primary=True)
        subjects[person["email"]] = user
    client = Client(
        id=spec["client_id"],
        name="MentorHaven",
        type=Client.Type.CONFIDENTIAL,
        skip_consent=True,
    )
    client.set_secret(spec["client_secret"])
    client.set_scopes(["openid", "profile", "email"])
    client.set_redirect_uris(spec["redirect_uris"])
    client.set_post_logout_redirect_uris(spec["post_logout_redirect_uris"])
    client.save()
    adapter = get_adapter()
    print(json.dumps({email: adapter.get_user_sub(client, u) for email, u in subjects.items()}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
