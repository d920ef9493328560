"""Generated cases for the secret fuzz: secret shapes x placements x how an error quotes them.

Every secret is built around random pieces (16 letters and digits): no 8 consecutive
characters of a piece may appear in telemetry. Letters and digits survive percent-encoding,
JSON and repr escaping, so one check finds a secret in any of those forms; its Basic form
(base64 of ``user:secret``) and its first 8 characters are checked as well.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from support import ANTHROPIC_CHAT, MESSAGES, OPENAI_CHAT, behave

WINDOW = 8
# Mocked-error forms per placement in one group: LiteLLM's own failure path costs ~30 ms a call.
FORMS_PER_CALL = 3
_ALNUM = string.ascii_letters + string.digits
_RUN = re.compile(rf"[A-Za-z0-9]{{{WINDOW},}}")

# Secret shapes: (name, builder from three random pieces). Some start with a fixed prefix, so
# that "the first 8 characters" means something other than a random piece.
SHAPES: dict[str, Callable[[str, str, str], str]] = {
    "openai": lambda a, b, c: f"sk-proj-{a}{b}",
    "anthropic": lambda a, b, c: f"sk-ant-api03-{a}-{b}AA",
    "aws": lambda a, b, c: f"{a}/{b[:8]}+{b[8:]}=",
    "url_hostile": lambda a, b, c: f"{a}:@/?#&=+%; {b}",
    "quotes": lambda a, b, c: f"{a}'\"\\{b}",
    "jwt": lambda a, b, c: f"eyJhbGciOiJIUzI1NiJ9.{a}{b}.{c}",
    "short": lambda a, b, c: a[:12],
    "pem": lambda a, b, c: f"-----BEGIN PRIVATE KEY-----\n{a}{b}\n{c}{a[::-1]}\n-----END PRIVATE KEY-----\n",
}
# Where a call carries the secret: name -> (builds the call's kwargs, the value as the call holds it).
# ``wire``: the secret travels in the HTTP request, so the local provider's echo can quote it.
Placement = Callable[[str, str], dict[str, Any]]  # (secret, base url) -> kwargs


def _vertex(secret: str) -> dict[str, str]:
    return {"type": "service_account", "project_id": "fuzz-project", "private_key": secret,
            "client_email": "fuzz@fuzz-project.iam.gserviceaccount.com"}  # fmt: skip


def _basic(secret: str) -> str:
    return base64.b64encode(f"user:{secret}".encode()).decode()


def _with_userinfo(base: str, secret: str) -> str:
    return base.replace("http://", f"http://user:{quote(secret, safe='')}@", 1)


PLACEMENTS: dict[str, tuple[Placement, bool]] = {
    "api_key": (lambda s, b: {"api_key": s}, True),
    "anthropic api_key": (lambda s, b: {"api_key": s, "model": ANTHROPIC_CHAT}, False),
    "aws_secret_access_key": (lambda s, b: {"aws_secret_access_key": s}, False),
    "aws_session_token": (lambda s, b: {"aws_session_token": s}, False),
    "vertex_credentials dict": (lambda s, b: {"vertex_credentials": _vertex(s)}, False),
    "vertex_credentials JSON": (lambda s, b: {"vertex_credentials": json.dumps(_vertex(s))}, False),
    "azure_ad_token": (lambda s, b: {"azure_ad_token": s}, False),
    "client_secret": (lambda s, b: {"client_secret": s}, False),
    "headers Authorization Bearer": (lambda s, b: {"headers": {"Authorization": f"Bearer {s}"}}, True),
    "extra_headers Authorization Basic": (lambda s, b: {"extra_headers": {"Authorization": f"Basic {_basic(s)}"}}, True),
    "extra_headers x-api-key": (lambda s, b: {"extra_headers": {"x-api-key": s}}, True),
    "extra_headers api-key": (lambda s, b: {"extra_headers": {"api-key": s}}, True),
    "extra_headers X-Custom-Auth": (lambda s, b: {"extra_headers": {"X-Custom-Auth": s}}, True),
    "extra_headers Ocp-Apim-Subscription-Key": (lambda s, b: {"extra_headers": {"Ocp-Apim-Subscription-Key": s}}, True),
    "api_base userinfo": (lambda s, b: {"api_base": _with_userinfo(b, s)}, True),
    "api_base ?key=": (lambda s, b: {"api_base": f"{b}?key={quote(s, safe='')}"}, True),
    "api_base ?code=": (lambda s, b: {"api_base": f"{b}?code={quote(s, safe='')}"}, True),
    "api_base ?sig=": (lambda s, b: {"api_base": f"{b}?sv=2024-01-01&sig={quote(s, safe='')}"}, True),
    "metadata user_api_key": (lambda s, b: {"metadata": {"user_api_key": s}}, False),
    "metadata api_key": (lambda s, b: {"metadata": {"api_key": s, "env": "prod"}}, False),
    "metadata nested": (lambda s, b: {"metadata": {"team": {"settings": {"secret_token": s}}}}, False),
    "metadata user_api_key_*": (lambda s, b: {"metadata": {"user_api_key_hash": s, "user_api_key_alias": "fuzz"}}, False),
}
# What LiteLLM records of a call that never reaches its HTTP layer (a mocked exception): not the
# headers or the api_base, which it logs on the way to the provider. On the callback's path,
# those placements are quoted by the local provider's echo of a real request instead.
RECORDED_WITHOUT_A_REQUEST = [name for name in PLACEMENTS if "headers" not in name and "api_base" not in name]
_NO_NEWLINE = {name for name in PLACEMENTS if "headers" in name or "api_base" in name or name.endswith("api_key")}
_NO_NEWLINE.add("api_key")

# How a mocked error quotes the secret: form -> message (secret, the kwargs the call carries).
FORMS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "as carried": lambda s, kw: f"upstream rejected the request: {_carried(kw)}",
    "raw": lambda s, kw: f"credential {s} is not valid",
    "percent-encoded": lambda s, kw: f"GET https://gw.example/v1?token={quote(s, safe='')} failed",
    "json": lambda s, kw: f"bad request: {json.dumps({'api_key': s, 'note': 'x'})}",
    "repr": lambda s, kw: f"invalid config {({'secret': s})!r}",
    "masked": lambda s, kw: f"Incorrect API key provided: {s[:8]}{'*' * 20}{s[-4:]}. Find your key elsewhere.",
    "basic": lambda s, kw: f"proxy answered 407 to Authorization: Basic {_basic(s)}",
}


def _carried(kwargs: dict[str, Any]) -> str:
    """The placed value as the call holds it: a header dict, a URL, a credentials JSON text, metadata."""
    return "; ".join(f"{key}={value}" for key, value in kwargs.items() if key != "model")


@dataclass
class Case:
    """One call that fails with an error quoting one secret."""

    ident: str
    placement: str
    shape: str
    form: str  # a FORMS name, or "echo" (the local provider quotes the whole request)
    secret: str
    pieces: tuple[str, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def needles(self) -> tuple[list[str], list[str]]:
        """(8-character windows that must never appear, fixed strings that must never appear)."""
        windows = [piece[i : i + WINDOW] for piece in self.pieces for i in range(len(piece) - WINDOW + 1)]
        basic = _basic(self.secret)
        windows += [run[i : i + WINDOW] for run in _RUN.findall(basic[WINDOW:]) for i in range(len(run) - WINDOW + 1)]
        fixed = [] if any(self.secret[:WINDOW] in piece for piece in self.pieces) else [self.secret[:WINDOW]]
        return windows, fixed


def build(
    group: str, turn: int, rng: random.Random, base_url: str, mocked: Iterable[str], echo: Iterable[str]
) -> list[Case]:
    """Each ``mocked`` placement with FORMS_PER_CALL of the mocked-error forms (the ``turn``-th
    group takes the next ones, so a path's groups go through all of them), and each ``echo``
    placement through the local provider's echo of the whole request."""
    cases: list[Case] = []
    shapes = list(SHAPES)
    forms = list(FORMS)
    plan = [(placement, forms[(p + FORMS_PER_CALL * turn + k) % len(forms)])
            for p, placement in enumerate(mocked) for k in range(FORMS_PER_CALL)]  # fmt: skip
    plan += [(placement, "echo") for placement in echo]
    for index, (placement, form) in enumerate(plan):
        usable = [s for s in shapes if not (s == "pem" and (placement in _NO_NEWLINE or form == "echo"))]
        shape = usable[(index + rng.randrange(len(usable))) % len(usable)]
        pieces = tuple("".join(rng.choice(_ALNUM) for _ in range(16)) for _ in range(3))
        secret = SHAPES[shape](*pieces)
        used = tuple(p for p in pieces if p in secret) + tuple(p[::-1] for p in pieces if p[::-1] in secret)
        if shape == "short":
            used = (secret,)
        elif shape == "aws":  # the second piece is split by "+"
            used = (pieces[0], pieces[1][:8], pieces[1][8:])
        case = Case(f"fuzz-{group}-{index}", placement, shape, form, secret, used)
        case.kwargs = call_kwargs(case, base_url)
        cases.append(case)
    return cases


def call_kwargs(case: Case, base_url: str) -> dict[str, Any]:
    """The kwargs of the call: a mocked exception quoting the secret, or a request the provider echoes."""
    build_kwargs, _ = PLACEMENTS[case.placement]
    placed = build_kwargs(case.secret, f"{base_url}/v1")
    kwargs: dict[str, Any] = {"model": OPENAI_CHAT, "messages": MESSAGES, "max_retries": 0,
                              "litellm_call_id": case.ident, **placed}  # fmt: skip
    if case.form == "echo":
        status = (400, 401, 403, 404, 500)[int(case.ident.rsplit("-", 1)[1]) % 5]
        kwargs.setdefault("api_base", f"{base_url}/v1" if kwargs["model"] == OPENAI_CHAT else base_url)
        kwargs.setdefault("api_key", "sk-test")
        kwargs["extra_headers"] = {**kwargs.get("extra_headers", {}), **behave(echo_status=status)}
    else:
        kwargs["mock_response"] = Exception(FORMS[case.form](case.secret, placed))
    return kwargs


def leaks(text: str, cases: Iterable[Case]) -> dict[str, list[str]]:
    """Case id -> the needles of that case found in ``text``."""
    by_window: dict[str, str] = {}
    fixed: dict[str, set[str]] = {}
    for case in cases:
        windows, prefixes = case.needles()
        for window in windows:
            by_window[window] = case.ident
        for prefix in prefixes:
            fixed.setdefault(prefix, set()).add(case.ident)
    found: dict[str, list[str]] = {}
    for run in _RUN.findall(text):
        for i in range(len(run) - WINDOW + 1):
            owner = by_window.get(run[i : i + WINDOW])
            if owner is not None:
                found.setdefault(owner, []).append(run[i : i + WINDOW])
    for prefix, owners in fixed.items():
        if prefix in text:
            for owner in owners:
                found.setdefault(owner, []).append(prefix)
    return found
