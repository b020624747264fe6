"""Spellings of one email address that a person (or an attacker) might type."""

from __future__ import annotations


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def spellings(local: str, domain: str = "example.org") -> dict[str, str]:
    """Ways to write ``local@domain`` that mean the same address, by what they use."""
    name, tld = domain.split(".")
    head, tail = local[:2], local[2:]
    return {
        "ideographic full stop": f"{local}@{name}\u3002{tld}",
        "fullwidth full stop": f"{local}@{name}\uff0e{tld}",
        "halfwidth ideographic full stop": f"{local}@{name}\uff61{tld}",
        "fullwidth letters": fullwidth(local) + "@" + fullwidth(name) + "." + tld,
        "fullwidth at sign": f"{local}\uff20{domain}",
        "mixed case": f"{local.capitalize()}@{name.upper()}.{tld.capitalize()}",
        "combining grapheme joiner": f"{head}\u034f{tail}@{domain}",
        "combining grapheme joiner in the domain": f"{local}@{name[:3]}\u034f{name[3:]}.{tld}",
        "variation selector": f"{local}\ufe0f@{domain}",
        "variation selector in the domain": f"{local}@{name}\ufe00.{tld}",
        "zero width joiner": f"{head}\u200d{tail}@{domain}",
        "zero width non-joiner": f"{head}\u200c{tail}@{domain}",
        "zero width space": f"{local}\u200b@{domain}",
        "soft hyphen": f"{head}\u00ad{tail}@{domain}",
        "word joiner": f"{local}@{name[:2]}\u2060{name[2:]}.{tld}",
        "right-to-left override": f"\u202e{local}@{domain}",
        "byte order mark": f"{local}@\ufeff{domain}",
    }


INVISIBLE = {
    "combining grapheme joiner",
    "combining grapheme joiner in the domain",
    "variation selector",
    "variation selector in the domain",
    "zero width joiner",
    "zero width non-joiner",
    "zero width space",
    "soft hyphen",
    "word joiner",
    "right-to-left override",
    "byte order mark",
}
