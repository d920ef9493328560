"""The one scrubbing step's parts: which secrets a call carries, their forms, and the redaction rules."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from litetrace.attributes import errors
from litetrace.attributes.redaction import REDACTED, redact, scrub
from litetrace.attributes.secrets import collect, is_secret_name

SECRET = "Zq8x/K2m+Pw1 rT9@:vB"


def test_credential_kwargs_and_secret_named_headers_are_collected_with_their_encodings():
    found = collect({
        "api_key": "sk-one-abcdefgh", "aws_secret_access_key": "aws-two-abcdefgh", "client_secret": SECRET,
        "extra_headers": {"X-Custom-Auth": "hdr-three-xyz", "Ocp-Apim-Subscription-Key": "apim-four-xyz",
                          "api-key": "azure-five-xyz", "X-Trace": "not-secret-at-all"},
        "headers": {"Authorization": "Bearer tok-six-abcdef"},
    })  # fmt: skip
    expected = {"sk-one-abcdefgh", "aws-two-abcdefgh", "hdr-three-xyz", "apim-four-xyz", "azure-five-xyz", "tok-six-abcdef"}
    assert expected <= set(found)
    assert {SECRET, quote(SECRET, safe=""), quote(SECRET), json.dumps(SECRET)[1:-1], SECRET[:8]} <= set(found)
    assert "not-secret-at-all" not in found
    assert list(found) == sorted(found, key=len, reverse=True)  # longest first: no form is cut in two


def test_api_base_gives_its_password_raw_decoded_and_basic_encoded_and_its_query_credentials():
    written = quote(SECRET, safe="")
    query = "api-version=2024-02-01&key=K3y%2FValue1&sig=S1g%2Bvalue"
    found = set(collect({"api_base": f"https://user:{written}@gw.example/v1?{query}"}))
    assert {written, SECRET, base64.b64encode(f"user:{SECRET}".encode()).decode()} <= found
    assert {"K3y%2FValue1", "K3y/Value1", "S1g%2Bvalue", "S1g+value"} <= found
    assert "2024-02-01" not in found  # protocol, not a credential


def test_metadata_vertex_credentials_and_litellms_own_record_are_searched_by_name():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEabcdefgh\n-----END PRIVATE KEY-----\n"
    vertex = {"type": "service_account", "project_id": "proj", "private_key": pem}
    found = set(collect(
        {"metadata": {"user_api_key": "md-one-secret", "team": {"cfg": {"secret_token": "md-two-secret"}}, "env": "production"},
         "vertex_credentials": json.dumps(vertex)},
        # The callback's view of a call: LiteLLM's kwargs, params and the headers it sent.
        {"litellm_params": {"api_key": "lp-three-secret", "metadata": {"user_api_key_hash": "hash-four-secret"}},
         "additional_args": {"headers": {"x-api-key": "hdr-five-secret"}}},
    ))  # fmt: skip
    assert {"md-one-secret", "md-two-secret", "lp-three-secret", "hash-four-secret", "hdr-five-secret"} <= found
    assert {json.dumps(vertex), vertex["private_key"], "MIIEabcdefgh"} <= found
    assert "production" not in found and "service_account" not in found and "proj" not in found


@pytest.mark.parametrize(
    "name", ["api_key", "X-Custom-Auth", "Ocp-Apim-Subscription-Key", "x-api-key", "Authorization", "azure_ad_token",
             "user_api_key_alias", "private_key", "client_secret", "password", "x-goog-signature", "sig"],
)  # fmt: skip
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["model", "messages", "metadata", "user", "api_base", "temperature", "design"])
def test_ordinary_names(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Basic dXNlcjpzM2NyZXQ=", "dXNlcjpzM2NyZXQ="),
        ("'x-custom-auth': 'opaque-value-1'", "opaque-value-1"),
        ("Incorrect API key provided: sk-abc12***************xyz9.", "sk-abc12"),
        ("POST /api/fn?code=AzFuncKey123&x=1 failed", "AzFuncKey123"),
        ("GET /blob?sv=2024&sig=abc%2Bdef123 forbidden", "abc%2Bdef123"),
    ],
)
def test_redaction_rules_catch_secrets_nobody_named(text, hidden):
    cleaned = redact(text)
    assert hidden not in cleaned and REDACTED in cleaned


def test_a_masked_echo_of_a_known_secret_keeps_none_of_it():
    secret = "sk-proj-Abc123Def456Ghi789"
    cleaned = scrub(f"key {secret[:8]}{'*' * 10}{secret[-4:]} and {secret[:8]} alone", collect({"api_key": secret}))
    assert secret[:8] not in cleaned and secret[-4:] not in cleaned


def test_a_secret_longer_than_the_margin_is_never_cut_at_the_stack_traces_edge():
    token = "eyJ" + "Q1w2E3r4T5y6" * 120  # a 1,443-character bearer token
    error: BaseException | None = None
    for level in range(40):
        try:
            raise RuntimeError(f"level {level} token={token}") from error
        except RuntimeError as raised:
            error = raised
    assert error is not None
    stack = errors.failure(error, {"azure_ad_token": token}).event["exception.stacktrace"]
    assert len(stack) <= errors.MAX_STACKTRACE_LENGTH + 1
    assert "Q1w2E3r4" not in stack and "T5y6Q1w2" not in stack


def test_failure_scrubs_message_event_and_status_alike():
    found = errors.failure(ValueError(f"bad credential {SECRET}"), {"client_secret": SECRET})
    assert found.attributes["llm.error.message"] == f"bad credential {REDACTED}"
    assert found.event is not None and SECRET not in found.event["exception.stacktrace"]
    assert found.event["exception.message"] == found.status == found.attributes["llm.error.message"]
    assert errors.failure(ValueError("x"), {}, recording=False).event is None
