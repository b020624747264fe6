"""What the blueprints share at the request's edge: who is logged in, rate limits, the
last step of every login, the challenge on the account forms, WebAuthn's JSON."""
