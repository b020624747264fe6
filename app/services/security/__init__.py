"""Keeping intruders out: login protection, the second factor, sessions, the security log.

``login_guard`` counts failures and raises a ``challenges`` check (proof-of-work, CAPTCHA);
``two_step``, ``totp``, ``passkeys`` and ``recovery_codes`` are two-step login;
``sessions`` and ``known_browsers`` remember who is signed in and where.
"""
