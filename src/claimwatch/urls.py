"""Canonical URLs, so that one article reached by two links is recognised as one.

``canonicalize`` lower-cases the scheme and host, drops a default port, the fragment and
tracking parameters, and keeps every other query parameter in its order and its original
encoding. It is idempotent. A string that ``urllib`` cannot split is returned unchanged.

Not courlan's ``normalize_url``: the canonical URL is an article's identity in the state
(entry ids, alert ids), so its form may not change under existing databases, and courlan's
would (it sorts and re-encodes the query, drops empty parameters and ones named like ``uid``
or ``campaign``, and decodes punycode hosts).
"""

from __future__ import annotations

from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": "80", "https": "443"}
# Characters trimmed from the ends: C0 controls, space (as urlsplit does) and Unicode spaces.
_TRIM = "".join(c for c in map(chr, range(0x3001)) if c <= " " or c.isspace())

# Exact names (compared case-insensitively) of parameters that only track the reader.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "igshid",
        "igsh", "mkt_tok", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",
        "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "vero_id", "vero_conv", "wickedid",
        "__twitter_impression", "ncid", "sr_share", "cmpid", "at_medium", "at_campaign",
    }
)  # fmt: skip
# Prefixes of whole parameter families: Google Analytics, Matomo/Piwik, HubSpot.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def canonicalize(url: str) -> str:
    """Return the canonical form of ``url`` (see the module docstring)."""
    text = url
    for _ in range(8):  # one pass is stable except for odd whitespace; stop at a fixpoint
        result = _canonical_once(text)
        if result == text:
            break
        text = result
    return text


def _canonical_once(url: str) -> str:
    text = url.strip(_TRIM)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    netloc = _netloc(parts, scheme)
    query = _query(parts.query)
    path = parts.path if query else parts.path.rstrip(_TRIM)  # nothing may trail the URL
    if not path and netloc and scheme in _DEFAULT_PORTS:
        path = "/"
    return urlunsplit((scheme, netloc, path, query, "")).rstrip(_TRIM)


def is_tracking_param(name: str) -> bool:
    """Is ``name`` (raw or percent-encoded) a parameter that only tracks the reader?"""
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _netloc(parts: SplitResult, scheme: str) -> str:
    userinfo, at, hostport = parts.netloc.rpartition("@")
    hostport = hostport.lower()
    host, colon, port = hostport.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    if colon and (bracketed or ":" not in host) and _is_default_port(port, scheme):
        hostport = host
    return f"{userinfo}{at}{hostport}"


def _is_default_port(port: str, scheme: str) -> bool:
    if not port:
        return True  # "host:" means the default port
    default = _DEFAULT_PORTS.get(scheme)
    return port.isascii() and port.isdigit() and port.lstrip("0") == default


def _query(query: str) -> str:
    kept = [
        pair for pair in query.split("&") if pair and not is_tracking_param(pair.partition("=")[0])
    ]
    return "&".join(kept).rstrip(_TRIM)
