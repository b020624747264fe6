"""The client API: OAuth 2 for apps, and the Mastodon-compatible JSON under /api."""
