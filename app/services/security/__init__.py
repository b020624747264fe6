"""Keeping intruders out: login protection, the second factor, sessions, the security log.

``login_guard`` counts failures and raises a ``challenges`` check (proof-of-work, CAPTCHA);
``second_factor``, ``totp``, ``passkeys`` and ``recovery_codes`` are the second step;
``sessions`` and ``known_browsers`` remember who is signed in and where.
"""
