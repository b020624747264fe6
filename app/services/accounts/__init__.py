"""Accounts: signing up, the address and password that prove who you are, the profile.

Also the single-use emailed links (``tokens``) and taking a hijacked account back (``reclaim``).
"""
