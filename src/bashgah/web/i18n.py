"""Babel catalogues: one domain per face (common, pos, console, portal), Persian and English.

The ``.po`` files are the source; they are compiled in memory the first time a language is asked for,
so a fresh clone needs no build step and a stale ``.mo`` can never be served.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import Markup, escape

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("fa", "en")
DEFAULT_LANGUAGE = "fa"
#: One catalogue per face, so the faces' authors never edit the same file; ``common`` is shared.
DOMAINS = ("common", "pos", "console", "portal")
RTL = frozenset({"fa"})
#: Where each domain's messages are written (relative to the ``web`` package): the face's templates
#: folder and its Python module. ``make messages`` and the catalogue test read this.
FACE_SOURCES = {
    "common": ("templates/common", "pages.py"),
    "pos": ("templates/pos", "pos"),
    "console": ("templates/console", "console"),
    "portal": ("templates/portal", "portal"),
}

Translate = Callable[..., str]


def clean_language(value: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    return value if value in LANGUAGES else default


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


@cache
def catalogue(lang: str, domain: str) -> gettext.GNUTranslations:
    """The compiled catalogue of one language and domain."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as po:
        messages = read_po(po, locale=lang, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Missing(Exception):
    """A message without a translation; only raised in strict mode (tests)."""


def translator(lang: str, face: str = "common") -> Translate:
    """``_(message, **values)`` for a face: its own domain first, then ``common``.

    Values are filled in with ``%(name)s`` after translating, so word order can differ per language.
    An untranslated message falls back to its English msgid (the catalogue test makes sure none is).
    A value that is already markup (``fmt.ltr``: a Gregorian day kept left to right) stays markup, and the
    message and its other values are escaped around it.
    """
    lang = clean_language(lang)
    chain = [catalogue(lang, face)] if face != "common" else []
    chain.append(catalogue(lang, "common"))

    def _(message: str, **values: Any) -> str:
        for cat in chain:
            text = cat._catalog.get(message)  # type: ignore[attr-defined]
            if text:
                break
        else:
            text = message
        if any(isinstance(v, Markup) for v in values.values()):
            return escape(str(text)) % values
        return str(text) % values if values else str(text)

    return _
