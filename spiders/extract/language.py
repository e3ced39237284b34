"""Language identification: py3langid over title + body, restricted to the outlet's languages when
known, with the ``<html lang>`` / ``og:locale`` / JSON-LD ``inLanguage`` declaration as evidence."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def primary_subtag(code: str | None) -> str | None:
    if not code:
        return None
    m = re.match(r"\s*([A-Za-z]{2,3})(?:[-_].*)?$", code)
    return m.group(1).lower() if m else None


def identify(text: str, *, allowed: list[str] | None = None, declared: str | None = None) -> str | None:
    """Best language code for ``text``. ``allowed`` restricts the choice; ``declared`` wins when the
    text is short or the classifier gives it a fair probability."""
    declared = primary_subtag(declared)
    sample = text[:5000]
    words = len(sample.split())
    allowed_set = set(allowed or [])
    if words < 3:
        if declared and (not allowed_set or declared in allowed_set):
            return declared
        return allowed[0] if allowed and len(allowed) == 1 else None
    ident = _identifier()
    ranked = ident.rank(sample)
    known = set(ident.nb_classes) if hasattr(ident, "nb_classes") else None
    if allowed_set and (known is None or allowed_set & known):
        ranked = [(lang, p) for lang, p in ranked if lang in allowed_set]
        total = sum(p for _, p in ranked) or 1.0
        ranked = [(lang, p / total) for lang, p in ranked]
    if not ranked:
        return declared or (allowed[0] if allowed else None)
    probs = dict(ranked)
    best, best_p = ranked[0]
    if declared and declared != best and (not allowed_set or declared in allowed_set):
        p = probs.get(declared, 0.0)
        if words < 15 or p >= 0.2:
            return declared
    return best
