"""Title clean-up by general rules: a site-name suffix or prefix ("... | Caliber.az", "— Reuters",
" - BBC News", "Site: ...") is removed when it matches the site name, the domain, or the page's
own headline; never by per-site lists."""

from __future__ import annotations

import re

_SEPARATORS = r"\s+[|\-–—:·•»/]\s+|\s*[|–—·•»]\s*"
_SEP_RE = re.compile(f"({_SEPARATORS})")
_NORM = re.compile(r"[\W_]+", re.UNICODE)


def _norm(s: str) -> str:
    return _NORM.sub("", s.casefold())


def _site_like(part: str, site_names: list[str], domain: str) -> bool:
    p = _norm(part)
    if not p or len(part) > 60:
        return False
    labels = [lab for lab in re.split(r"[.\-]", domain.casefold()) if lab and lab not in ("www", "m", "amp")]
    core = labels[:-1] if len(labels) > 1 else labels
    candidates = {_norm(n) for n in site_names if n} | {_norm(domain)}
    candidates |= {_norm(".".join(labels[i:])) for i in range(len(labels))}
    candidates |= {_norm(lab) for lab in core if len(lab) >= 3}
    candidates.discard("")
    if p in candidates:
        return True
    # "BBC News" for bbc.co.uk, "The Guardian" for theguardian.com, "Caliber.az" for caliber.az
    for c in candidates:
        if len(c) >= 3 and (
            p.startswith(c) or c.startswith(p) and len(p) >= 3 or c in p and len(p) <= len(c) + 8
        ):
            return True
    return False


def clean_title(
    title: str | None, *, site_names: list[str] | None = None, domain: str = "", headline: str | None = None
) -> str | None:
    """Strip a site-name suffix/prefix from ``title``. ``headline`` (an ``<h1>``) is evidence: if the
    title starts with it, the rest is furniture."""
    if not title:
        return title
    title = re.sub(r"\s+", " ", title).strip()
    site_names = [s for s in (site_names or []) if s]
    if headline:
        h = re.sub(r"\s+", " ", headline).strip()
        if len(h) >= 10 and title != h and _norm(title).startswith(_norm(h)):
            rest = title[len(h) :] if title.startswith(h) else ""
            if not rest or _SEP_RE.match(rest):
                return h
    m = re.match(r"^([^:]{2,60}):\s+(.{10,})$", title)
    if m and _site_like(m.group(1), site_names, domain):
        title = m.group(2).strip()
    changed = True
    while changed:
        changed = False
        parts = _SEP_RE.split(title)
        if len(parts) < 3:
            break
        last, first = parts[-1], parts[0]
        if _site_like(last, site_names, domain) and len("".join(parts[:-2]).strip()) >= 10:
            title = "".join(parts[:-2]).strip()
            changed = True
        elif _site_like(first, site_names, domain) and len("".join(parts[2:]).strip()) >= 10:
            title = "".join(parts[2:]).strip()
            changed = True
    return title
