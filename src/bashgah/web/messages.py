"""Keep the web catalogues in step with the code: ``python -m bashgah.web.messages`` (``make messages``).

For every domain it extracts the messages of the face's templates and module (``i18n.FACE_SOURCES``) and
updates ``locale/{fa,en}/LC_MESSAGES/<domain>.po``: new messages arrive untranslated (the catalogue test
fails until someone translates them), messages no longer used are dropped. It does what
``pybabel extract`` + ``pybabel update -D <domain>`` do (see CONTRIBUTING.md) without a shell loop.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

from bashgah.web.i18n import DOMAINS, FACE_SOURCES, LANGUAGES, LOCALE_DIR

WEB = Path(__file__).resolve().parent
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


def extract(domain: str) -> Catalog:
    """Every message the face ``domain`` uses."""
    template = Catalog(domain=domain, project="Bashgah")
    for source in FACE_SOURCES[domain]:
        path = WEB / source
        if path.is_dir():
            found = extract_from_dir(path, METHODS, strip_comment_tags=True)
            for filename, lineno, message, _comments, context in found:
                template.add(message, locations=[(f"{source}/{filename}", lineno)], context=context)
        elif path.is_file():
            method = "python" if path.suffix == ".py" else "jinja2"
            for lineno, message, _comments, context in extract_from_file(method, path):
                template.add(message, locations=[(source, lineno)], context=context)
    return template


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _entries(catalog: Catalog) -> set[tuple[str, str]]:
    return {(str(m.id), str(m.string)) for m in catalog if m.id}


def update(domain: str) -> None:
    template = extract(domain)
    for lang in LANGUAGES:
        path = po_path(lang, domain)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=lang, domain=domain)
        else:
            catalog = Catalog(locale=lang, domain=domain, project="Bashgah", version="0.1")
            catalog.fuzzy = False
        before = _entries(catalog)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        if path.exists() and _entries(catalog) == before:
            continue  # untouched files keep their bytes: fewer merge conflicts between the faces
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalog, omit_header=False, no_location=True, sort_output=True, width=110)


def main() -> None:
    for domain in DOMAINS:
        update(domain)
        print(f"{domain}: {len(extract(domain))} messages")


if __name__ == "__main__":
    main()
