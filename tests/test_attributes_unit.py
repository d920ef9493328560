"""Unit tests of the extractors, with small fakes (dicts, SimpleNamespace) in place of LiteLLM objects."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace as NS
from typing import Any

import httpx
import litellm
import pytest
from litellm.types.utils import HiddenParams

from litetrace.attributes import (
    chat,
    common,
    content,
    embedding,
    errors,
    image,
    moderation,
    responses,
    semconv,
    text_completion,
)
from litetrace.attributes.provider import provider_for
from litetrace.attributes.redaction import (
    MAX_MESSAGE_LENGTH,
    REDACTED,
    clean_api_base,
    scrub,
    secrets_in,
)


def extract(function: Any, value: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    function(value, attrs)
    return attrs


# -- chat request -------------------------------------------------------------------------------------


def test_chat_request_counts_messages_per_role_and_text_characters():
    attrs = extract(
        chat.request,
        {
            "messages": [
                {"role": "system", "content": "Be nice."},
                {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
                {"role": "tool", "content": "42", "tool_call_id": "1"},
                {"role": "user", "content": "Thanks"},
            ]
        },
    )
    assert attrs["llm.request.messages_count"] == 5
    assert attrs["llm.request.messages.system_count"] == 1
    assert attrs["llm.request.messages.user_count"] == 2
    assert attrs["llm.request.messages.assistant_count"] == 1
    assert attrs["llm.request.messages.tool_count"] == 1
    assert attrs["llm.request.content_length"] == len("Be nice.Hello42Thanks")
    assert attrs["llm.request.multimodal"] is False
    assert "llm.request.image_count" not in attrs


def test_chat_request_with_image_and_audio_parts_is_multimodal():
    attrs = extract(
        chat.request,
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is in"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                        {"type": "text", "text": " these?"},
                        {"type": "image_url", "image_url": {"url": "https://example.invalid/b.png"}},
                        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                    ],
                }
            ]
        },
    )
    assert attrs["llm.request.multimodal"] is True
    assert attrs["llm.request.image_count"] == 2
    assert attrs["llm.request.content_length"] == len("What is in these?")


def test_chat_request_with_message_objects_reads_their_fields():
    attrs = extract(chat.request, {"messages": [NS(role="user", content="abc")]})
    assert attrs["llm.request.messages.user_count"] == 1
    assert attrs["llm.request.content_length"] == 3


def test_chat_request_copies_sampling_parameters():
    attrs = extract(
        chat.request,
        {
            "messages": [],
            "temperature": 0.7,
            "top_p": 0.5,
            "n": 3,
            "presence_penalty": 0.1,
            "frequency_penalty": -0.2,
            "seed": 11,
            "user": "end-user",
            "max_completion_tokens": 99,
            "stream": True,
        },
    )
    assert attrs["llm.request.temperature"] == 0.7
    assert attrs["llm.request.top_p"] == 0.5
    assert attrs["llm.request.n"] == 3
    assert attrs["llm.request.presence_penalty"] == 0.1
    assert attrs["llm.request.frequency_penalty"] == -0.2
    assert attrs["llm.request.seed"] == 11
    assert attrs["llm.request.user"] == "end-user"
    assert attrs["llm.request.max_tokens"] == 99
    assert attrs["llm.request.stream"] is True


def test_chat_request_leaves_absent_parameters_unset():
    attrs = extract(chat.request, {"messages": [{"role": "user", "content": "x"}], "temperature": None, "stop": []})
    for key in ("llm.request.temperature", "llm.request.stop", "llm.request.max_tokens", "llm.request.tools_count"):
        assert key not in attrs
    assert None not in attrs.values()


@pytest.mark.parametrize(("stop", "expected"), [("END", ["END"]), (["a", "b"], ["a", "b"]), (("x",), ["x"])])
def test_chat_request_stop_is_a_string_array(stop, expected):
    assert extract(chat.request, {"stop": stop})["llm.request.stop"] == expected


@pytest.mark.parametrize(
    ("response_format", "expected"),
    [({"type": "json_object"}, "json_object"), ({"type": "text"}, "text"), (NS, "json_schema")],
)
def test_chat_request_response_format_is_its_type(response_format, expected):
    assert extract(chat.request, {"response_format": response_format})["llm.request.response_format"] == expected


def test_chat_request_names_the_tools_offered_in_both_api_shapes():
    attrs = extract(
        chat.request,
        {
            "tools": [
                {"type": "function", "function": {"name": "get_weather"}},
                {"type": "function", "name": "search"},  # Responses API shape
                {"type": "web_search_preview"},  # a built-in tool without a name
            ],
            "functions": [{"name": "legacy"}],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        },
    )
    assert attrs["llm.request.tools_count"] == 3
    assert attrs["llm.request.tool_names"] == ["get_weather", "search"]
    assert attrs["llm.request.functions_count"] == 1
    assert attrs["llm.request.tool_choice"] == "get_weather"


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [("auto", "auto"), ("required", "required"), ({"type": "file_search"}, "file_search"), ({"name": "f"}, "f")],
)
def test_chat_request_tool_choice_is_the_mode_or_the_forced_tool(tool_choice, expected):
    assert extract(chat.request, {"tool_choice": tool_choice})["llm.request.tool_choice"] == expected


# -- chat response -------------------------------------------------------------------------------------


def chat_response(**overrides: Any) -> NS:
    call = NS(id="call_1", function=NS(name="get_weather", arguments="{}"))
    fields = dict(
        id="chatcmpl-1",
        model="gpt-4o-mini-2024-07-18",
        system_fingerprint="fp_1",
        usage=NS(prompt_tokens=10, completion_tokens=7, total_tokens=17),
        choices=[
            NS(finish_reason="tool_calls", message=NS(content=None, tool_calls=[call, call])),
            NS(finish_reason="stop", message=NS(content="Sunny.", tool_calls=None)),
        ],
    )
    fields.update(overrides)
    return NS(**fields)


def test_chat_response_describes_choices_tool_calls_and_usage():
    attrs = extract(chat.response, chat_response())
    assert attrs["llm.response.id"] == "chatcmpl-1"
    assert attrs["llm.response.model"] == "gpt-4o-mini-2024-07-18"
    assert attrs["llm.response.system_fingerprint"] == "fp_1"
    assert attrs["llm.response.choices_count"] == 2
    assert attrs["llm.response.finish_reason"] == "tool_calls"
    assert attrs["llm.response.finish_reasons"] == ["tool_calls", "stop"]
    assert attrs["llm.response.content_length"] == len("Sunny.")
    assert attrs["llm.response.tool_calls_count"] == 2
    assert attrs["llm.response.tool_names"] == ["get_weather", "get_weather"]
    assert attrs["llm.usage.prompt_tokens"] == 10
    assert attrs["llm.usage.completion_tokens"] == 7
    assert attrs["llm.usage.total_tokens"] == 17


def test_chat_response_without_usage_or_choices_sets_only_what_it_knows():
    attrs = extract(chat.response, NS(id="x", model=None, usage=None, choices=None, system_fingerprint=""))
    assert attrs == {"llm.response.id": "x"}


def test_chat_response_reads_dicts_as_well_as_objects():
    attrs = extract(chat.response, {"id": "d", "choices": [{"finish_reason": "length", "message": {"content": "ab"}}]})
    assert attrs["llm.response.finish_reason"] == "length"
    assert attrs["llm.response.content_length"] == 2


# -- text completion -------------------------------------------------------------------------------------


def test_text_completion_request_counts_prompts_and_characters():
    attrs = extract(text_completion.request, {"prompt": ["abc", "de"], "max_tokens": 5, "temperature": 0})
    assert attrs["llm.request.messages_count"] == 2
    assert attrs["llm.request.content_length"] == 5
    assert attrs["llm.request.max_tokens"] == 5
    assert attrs["llm.request.temperature"] == 0


def test_text_completion_response_reads_text_choices():
    result = NS(id="cmpl-1", model="m", usage=None, system_fingerprint=None, choices=[NS(text="hello", finish_reason="stop", message=None)])
    attrs = extract(text_completion.response, result)
    assert attrs["llm.response.content_length"] == 5
    assert attrs["llm.response.finish_reasons"] == ["stop"]
    assert attrs["llm.response.tool_calls_count"] == 0


# -- responses API ---------------------------------------------------------------------------------------


def test_responses_request_with_a_string_input_is_one_message():
    attrs = extract(responses.request, {"input": "Hello!", "max_output_tokens": 64, "tools": [{"type": "function", "name": "f"}]})
    assert attrs["llm.request.messages_count"] == 1
    assert attrs["llm.request.content_length"] == 6
    assert attrs["llm.request.multimodal"] is False
    assert attrs["llm.request.max_tokens"] == 64
    assert attrs["llm.request.tool_names"] == ["f"]


def test_responses_request_with_input_items_counts_roles_and_images():
    attrs = extract(
        responses.request,
        {
            "input": [
                {"role": "developer", "content": "Be terse."},
                {"role": "user", "content": [{"type": "input_text", "text": "Look"}, {"type": "input_image", "image_url": "x"}]},
            ]
        },
    )
    assert attrs["llm.request.messages.developer_count"] == 1
    assert attrs["llm.request.messages.user_count"] == 1
    assert attrs["llm.request.image_count"] == 1
    assert attrs["llm.request.multimodal"] is True
    assert attrs["llm.request.content_length"] == len("Be terse.Look")


def test_responses_response_reads_output_items_and_status():
    result = NS(
        id="resp_1",
        model="gpt-4o",
        status="completed",
        usage=NS(input_tokens=9, output_tokens=4, total_tokens=13, input_tokens_details=NS(cached_tokens=3),
                 output_tokens_details=NS(reasoning_tokens=2)),  # fmt: skip
        output=[
            NS(type="reasoning", content=None),
            NS(type="message", content=[NS(type="output_text", text="Done.")]),
            NS(type="function_call", name="lookup", arguments="{}"),
        ],
    )
    attrs = extract(responses.response, result)
    assert attrs["llm.response.id"] == "resp_1"
    assert attrs["llm.response.finish_reason"] == "completed"
    assert attrs["llm.response.content_length"] == 5
    assert attrs["llm.response.tool_calls_count"] == 1
    assert attrs["llm.response.tool_names"] == ["lookup"]
    assert attrs["llm.usage.prompt_tokens"] == 9
    assert attrs["llm.usage.completion_tokens"] == 4
    assert attrs["llm.usage.cached_tokens"] == 3
    assert attrs["llm.usage.reasoning_tokens"] == 2


# -- embedding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("inputs", "count", "length"), [("abc", 1, 3), (["ab", "cde"], 2, 5), ([[1, 2, 3]], 1, 0)])
def test_embedding_request_counts_inputs_and_text(inputs, count, length):
    attrs = extract(embedding.request, {"input": inputs, "encoding_format": "float", "dimensions": 256})
    assert attrs["llm.request.input_count"] == count
    assert attrs["llm.request.content_length"] == length
    assert attrs["llm.request.encoding_format"] == "float"
    assert attrs["llm.request.dimensions"] == 256


def test_embedding_response_counts_vectors_without_recording_them():
    result = NS(model="text-embedding-3-small", usage=NS(prompt_tokens=4, total_tokens=4),
                data=[{"embedding": [0.5] * 8}, {"embedding": [0.25] * 8}])  # fmt: skip
    attrs = extract(embedding.response, result)
    assert attrs["llm.response.embedding_count"] == 2
    assert attrs["llm.response.embedding_dimensions"] == 8
    assert attrs["llm.usage.prompt_tokens"] == 4
    assert all(not isinstance(value, (list, tuple)) for value in attrs.values())


def test_embedding_response_with_base64_vectors_leaves_dimensions_unset():
    attrs = extract(embedding.response, NS(model="m", usage=None, data=[{"embedding": "AAAAAA=="}]))
    assert attrs["llm.response.embedding_count"] == 1
    assert "llm.response.embedding_dimensions" not in attrs


# -- image -----------------------------------------------------------------------------------------------


def test_image_request_records_prompt_length_count_size_and_quality():
    attrs = extract(image.request, {"prompt": "a red fox", "n": 2, "size": "512x512", "quality": "hd"})
    assert attrs == {
        "llm.request.prompt_length": 9,
        "llm.request.n": 2,
        "llm.request.image_size": "512x512",
        "llm.request.image_quality": "hd",
    }


def test_image_response_counts_images_and_skips_all_zero_usage():
    zero = NS(prompt_tokens=0, completion_tokens=0, total_tokens=0)
    attrs = extract(image.response, NS(data=[NS(url="u"), NS(url="v")], usage=zero))
    assert attrs == {"llm.response.image_count": 2}


def test_image_response_records_usage_the_provider_reported():
    usage = NS(prompt_tokens=50, completion_tokens=4160, total_tokens=4210)
    attrs = extract(image.response, NS(data=[NS(b64_json="AAAA")], usage=usage))
    assert attrs["llm.usage.prompt_tokens"] == 50
    assert attrs["llm.usage.completion_tokens"] == 4160


# -- moderation ------------------------------------------------------------------------------------------


def test_moderation_request_counts_inputs():
    assert extract(moderation.request, {"input": ["abc", "de"]}) == {
        "llm.request.input_count": 2,
        "llm.request.content_length": 5,
    }


def test_moderation_response_counts_flags_and_names_categories_once():
    result = NS(
        id="modr-1",
        model="omni-moderation-latest",
        results=[
            NS(flagged=True, categories={"violence": True, "hate": False, "harassment": True}),
            NS(flagged=True, categories=NS(violence=True, sexual=False)),
            NS(flagged=False, categories={"violence": False}),
        ],
    )
    attrs = extract(moderation.response, result)
    assert attrs["llm.response.results_count"] == 3
    assert attrs["llm.response.flagged_count"] == 2
    assert attrs["llm.response.flagged_categories"] == ["harassment", "violence"]
    assert attrs["llm.response.id"] == "modr-1"


def test_moderation_response_reads_pydantic_categories():
    from litellm.types.llms.openai import OpenAIModerationResponse

    result = OpenAIModerationResponse(
        id="modr-2",
        model="m",
        results=[{"flagged": True, "categories": {"self-harm": True}, "category_scores": {"self-harm": 0.9},
                  "category_applied_input_types": {}}],  # fmt: skip
    )
    attrs = extract(moderation.response, result)
    assert attrs["llm.response.flagged_count"] == 1
    assert attrs["llm.response.flagged_categories"]


def test_moderation_response_without_flags_has_no_categories():
    attrs = extract(moderation.response, NS(id=None, model=None, results=[NS(flagged=False, categories=None)]))
    assert attrs == {"llm.response.results_count": 1, "llm.response.flagged_count": 0}


# -- usage -----------------------------------------------------------------------------------------------


def test_usage_reads_cached_and_reasoning_tokens_from_details():
    usage = NS(prompt_tokens=100, completion_tokens=50, total_tokens=150,
               prompt_tokens_details=NS(cached_tokens=60), completion_tokens_details=NS(reasoning_tokens=30))  # fmt: skip
    attrs = extract(common.usage, usage)
    assert attrs == {
        "llm.usage.prompt_tokens": 100,
        "llm.usage.completion_tokens": 50,
        "llm.usage.total_tokens": 150,
        "llm.usage.cached_tokens": 60,
        "llm.usage.reasoning_tokens": 30,
    }


def test_usage_reads_anthropic_cache_reads_and_computes_a_missing_total():
    attrs = extract(common.usage, {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 8})
    assert attrs["llm.usage.prompt_tokens"] == 10
    assert attrs["llm.usage.completion_tokens"] == 5
    assert attrs["llm.usage.total_tokens"] == 15
    assert attrs["llm.usage.cached_tokens"] == 8


def test_usage_leaves_zero_cached_and_reasoning_tokens_unset():
    usage = NS(prompt_tokens=1, completion_tokens=1, total_tokens=2,
               prompt_tokens_details=NS(cached_tokens=0), completion_tokens_details=NS(reasoning_tokens=0))  # fmt: skip
    attrs = extract(common.usage, usage)
    assert "llm.usage.cached_tokens" not in attrs and "llm.usage.reasoning_tokens" not in attrs


def test_usage_ignores_non_integer_counts():
    assert extract(common.usage, NS(prompt_tokens=True, completion_tokens="5", total_tokens=None)) == {}


# -- common: request identity and LiteLLM's hidden params -----------------------------------------------


def test_common_request_names_the_call_the_model_the_provider_and_a_clean_endpoint():
    attrs: dict[str, Any] = {}
    params = {"model": "anthropic/claude-sonnet-4-5", "api_base": "https://u:p@proxy.example.com/v1/?k=1"}
    common.request("chat", params, "call-1", attrs)
    assert attrs == {
        "llm.vendor": "litellm",
        "llm.request.type": "chat",
        "llm.litellm.call_id": "call-1",
        "llm.request.model": "anthropic/claude-sonnet-4-5",
        "llm.provider": "anthropic",
        "llm.api_base": "https://proxy.example.com/v1",
    }


@pytest.mark.parametrize(
    "hidden",
    [
        {"response_cost": 0.25, "custom_llm_provider": "openai", "api_base": "https://api.openai.com/v1",
         "model_id": "dep-1", "cache_hit": True},  # fmt: skip
        HiddenParams(response_cost=0.25, custom_llm_provider="openai", api_base="https://api.openai.com/v1",
                     model_id="dep-1", cache_hit=True),  # fmt: skip
    ],
    ids=["dict", "HiddenParams"],
)
def test_hidden_params_give_cost_provider_endpoint_deployment_and_cache_hit(hidden):
    attrs = extract(common.hidden_params, NS(_hidden_params=hidden))
    assert attrs == {
        "llm.usage.cost": 0.25,
        "llm.provider": "openai",
        "llm.api_base": "https://api.openai.com/v1",
        "llm.litellm.model_id": "dep-1",
        "llm.cache_hit": True,
    }


@pytest.mark.parametrize("hidden", [None, {}, {"response_cost": None, "model_id": None}, {"response_cost": True}])
def test_hidden_params_without_values_set_nothing(hidden):
    assert extract(common.hidden_params, NS(_hidden_params=hidden)) == {}


# -- provider --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "custom", "expected"),
    [
        ("gpt-4o-mini", None, "openai"),
        ("claude-sonnet-4-5", None, "anthropic"),
        ("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", None, "bedrock"),
        ("my-model", "groq", "groq"),
        ("no-such-model-xyz", None, None),
        (None, None, None),
        (42, None, None),
    ],
)
def test_provider_comes_from_litellms_get_llm_provider(model, custom, expected):
    assert provider_for(model, custom) == expected


# -- errors ----------------------------------------------------------------------------------------------

_REQUEST = httpx.Request("POST", "https://api.example.com/v1/chat/completions")


def _response(status: int) -> httpx.Response:
    return httpx.Response(status, request=_REQUEST)


LITELLM_ERRORS = {
    "AuthenticationError": (lambda: litellm.AuthenticationError("m", "openai", "gpt"), "authentication", 401),
    "PermissionDeniedError": (lambda: litellm.PermissionDeniedError("m", "openai", "gpt", _response(403)), "permission", 403),
    "RateLimitError": (lambda: litellm.RateLimitError("m", "openai", "gpt"), "rate_limit", 429),
    "Timeout": (lambda: litellm.Timeout("m", "gpt", "openai"), "timeout", 408),
    "APIConnectionError": (lambda: litellm.APIConnectionError("m", "openai", "gpt"), "connection", 500),
    "ContextWindowExceededError": (
        lambda: litellm.ContextWindowExceededError("m", "gpt", "openai"), "context_window_exceeded", 400
    ),
    "ContentPolicyViolationError": (
        lambda: litellm.ContentPolicyViolationError("m", "gpt", "openai"), "content_policy", 400
    ),
    "BadRequestError": (lambda: litellm.BadRequestError("m", "gpt", "openai"), "bad_request", 400),
    "UnprocessableEntityError": (
        lambda: litellm.UnprocessableEntityError("m", "gpt", "openai", _response(422)), "bad_request", 422
    ),
    "UnsupportedParamsError": (lambda: litellm.UnsupportedParamsError("m", "openai", "gpt"), "bad_request", 400),
    "NotFoundError": (lambda: litellm.NotFoundError("m", "gpt", "openai"), "not_found", 404),
    "BudgetExceededError": (lambda: litellm.BudgetExceededError(10.0, 5.0), "budget_exceeded", 422),
    "InternalServerError": (lambda: litellm.InternalServerError("m", "openai", "gpt"), "server_error", 500),
    "ServiceUnavailableError": (
        lambda: litellm.ServiceUnavailableError("m", "openai", "gpt"), "service_unavailable", 503
    ),
    "BadGatewayError": (lambda: litellm.exceptions.BadGatewayError("m", "openai", "gpt"), "server_error", 502),
    "APIError 502": (lambda: litellm.APIError(502, "m", "openai", "gpt"), "server_error", 502),
    "APIError 418": (lambda: litellm.APIError(418, "m", "openai", "gpt"), "unknown", 418),
    "MockException": (lambda: litellm.MockException(500, "m", "openai", "gpt"), "server_error", 500),
    "RejectedRequestError": (
        lambda: litellm.exceptions.RejectedRequestError("m", "gpt", "openai", request_data={}), "bad_request", 400
    ),
}


@pytest.mark.parametrize("name", list(LITELLM_ERRORS))
def test_error_category_of_each_litellm_exception(name):
    make, expected_category, expected_status = LITELLM_ERRORS[name]
    error = make()
    assert errors.category(error) == expected_category
    assert errors.status_code(error) == expected_status


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (asyncio.CancelledError(), "cancelled"),
        (TimeoutError(), "timeout"),
        (ConnectionRefusedError(), "connection"),
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.ConnectError("refused"), "connection"),
        (ValueError("bad"), "unknown"),
    ],
)
def test_error_category_of_errors_outside_litellm(error, expected):
    assert errors.category(error) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [(400, "bad_request"), (401, "authentication"), (403, "permission"), (404, "not_found"), (408, "timeout"),
     (413, "context_window_exceeded"), (422, "bad_request"), (429, "rate_limit"), (500, "server_error"),
     (502, "server_error"), (503, "service_unavailable"), (504, "timeout"), (599, "server_error"), (418, "unknown")],
)  # fmt: skip
def test_error_category_from_a_bare_status_code(status, expected):
    class ProviderError(Exception):
        status_code = status

    assert errors.category(ProviderError()) == expected


def test_error_status_code_falls_back_to_the_response_and_ignores_nonsense():
    class WithResponse(Exception):
        response = NS(status_code=429)

    class Nonsense(Exception):
        status_code = 1234

    class Flag(Exception):
        status_code = True

    assert errors.status_code(WithResponse()) == 429
    assert errors.status_code(Nonsense()) is None
    assert errors.status_code(Flag()) is None
    assert errors.status_code(ValueError()) is None


def test_error_attributes_scrub_the_message_and_name_the_provider():
    error = litellm.AuthenticationError("Incorrect API key provided: sk-abcdefghijkl1234", "anthropic", "claude")
    attrs: dict[str, Any] = {}
    errors.attributes(error, ["sk-abcdefghijkl1234"], attrs)
    assert attrs["llm.error.type"] == "AuthenticationError"
    assert attrs["llm.error.category"] == "authentication"
    assert attrs["llm.error.provider"] == "anthropic"
    assert attrs["llm.error.status_code"] == 401
    assert "sk-abcdefghijkl1234" not in attrs["llm.error.message"]
    assert REDACTED in attrs["llm.error.message"]


def test_error_attributes_survive_a_broken_str():
    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    attrs: dict[str, Any] = {}
    errors.attributes(Broken(), [], attrs)
    assert attrs == {"llm.error.type": "Broken", "llm.error.category": "unknown"}


# -- redaction -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_base", "expected"),
    [
        ("https://user:secret@api.example.com:8443/v1/?api-key=abc#frag", "https://api.example.com:8443/v1"),
        ("http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000/v1"),
        ("https://res.openai.azure.com/openai/deployments/d?api-version=2024-02-01", "https://res.openai.azure.com/openai/deployments/d"),
        ("https://[::1]:8080/v1", "https://[::1]:8080/v1"),
        ("https://api.openai.com", "https://api.openai.com"),
        ("api.openai.com/v1", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_clean_api_base_keeps_scheme_host_port_and_path_only(api_base, expected):
    assert clean_api_base(api_base) == expected


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Bearer abcdefgh12345678", "abcdefgh12345678"),
        ("key sk-proj-abcdefghij1234 rejected", "sk-proj-abcdefghij1234"),
        ("aws AKIAABCDEFGHIJKLMNOP denied", "AKIAABCDEFGHIJKLMNOP"),
        ("google AIzaSyA1234567890abcdefghijk bad", "AIzaSyA1234567890abcdefghijk"),
        ("url ?api_key=hunter22&x=1", "hunter22"),
        ('{"token": "t0ps3cr3t"}', "t0ps3cr3t"),
        ("failed to reach https://bob:pa55word@host.example/v1", "pa55word"),
        # Any case, at the very start, and after a character no alternative begins with.
        ("AUTHORIZATION: BEARER ABCDEFGH12345678", "ABCDEFGH12345678"),
        ("PASSWORD=Hunter2222", "Hunter2222"),
        ("xSecret: 'abcd9999'", "abcd9999"),
        ("(RK-abcdefgh1234) and (Pk-abcdefgh5678)", "abcdefgh"),
        ("Token:qwerty12", "qwerty12"),
    ],
)
def test_scrub_removes_key_shaped_values_it_was_not_told_about(text, hidden):
    cleaned = scrub(text)
    assert hidden not in cleaned
    assert REDACTED in cleaned


def test_scrub_removes_given_secrets_longest_first_and_keeps_labels():
    cleaned = scrub("key=abcd1234efgh and abcd1234 and Bearer zzzzzzzzzz", ["abcd1234", "abcd1234efgh"])
    assert "abcd1234" not in cleaned and "efgh" not in cleaned
    assert "Bearer " in cleaned and "key=" in cleaned


def test_scrub_caps_the_length():
    cleaned = scrub("x" * (MAX_MESSAGE_LENGTH * 3))
    assert len(cleaned) == MAX_MESSAGE_LENGTH + 1
    assert cleaned.endswith("…")


def test_scrub_leaves_ordinary_text_alone():
    assert scrub("Rate limit reached for gpt-4o-mini, retry in 20s") == "Rate limit reached for gpt-4o-mini, retry in 20s"


def test_secrets_in_finds_credential_kwargs_auth_headers_and_url_passwords():
    found = secrets_in(
        {
            "api_key": "sk-one-1234",
            "aws_secret_access_key": "aws-two-1234",
            "extra_headers": {"Authorization": "Bearer tok-three", "x-api-key": "hdr-four", "X-Trace": "not-secret"},
            "api_base": "https://user:url-five@example.com/v1",
            "azure_ad_token": "abc",  # too short to be worth scrubbing
        }
    )
    assert set(found) >= {"sk-one-1234", "aws-two-1234", "Bearer tok-three", "tok-three", "hdr-four", "url-five"}
    assert "not-secret" not in found and "abc" not in found


# -- gen_ai twins ----------------------------------------------------------------------------------------


def test_semconv_adds_twins_with_the_same_values():
    attrs = {
        "llm.request.type": "embedding",
        "llm.provider": "bedrock",
        "llm.request.model": "m",
        "llm.response.model": "m-1",
        "llm.usage.prompt_tokens": 3,
        "llm.usage.completion_tokens": 0,
        "llm.usage.cached_tokens": 1,
        "llm.request.encoding_format": "float",
        "llm.response.embedding_dimensions": 8,
        "llm.error.type": "RateLimitError",
        "llm.api_base": "https://bedrock.example.com/v1",
    }
    semconv.add(attrs)
    assert attrs["gen_ai.operation.name"] == "embeddings"
    assert attrs["gen_ai.provider.name"] == "aws.bedrock"
    assert attrs["gen_ai.request.model"] == "m"
    assert attrs["gen_ai.response.model"] == "m-1"
    assert attrs["gen_ai.usage.input_tokens"] == 3
    assert attrs["gen_ai.usage.output_tokens"] == 0
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 1
    assert attrs["gen_ai.request.encoding_formats"] == ["float"]
    assert attrs["gen_ai.embeddings.dimension.count"] == 8
    assert attrs["error.type"] == "RateLimitError"
    assert attrs["server.address"] == "bedrock.example.com"
    assert attrs["server.port"] == 443


@pytest.mark.parametrize(("n", "expected"), [(1, None), (3, 3)])
def test_semconv_choice_count_only_when_more_than_one_was_asked(n, expected):
    attrs = {"llm.request.type": "chat", "llm.request.n": n}
    semconv.add(attrs)
    assert attrs.get("gen_ai.request.choice.count") == expected


def test_semconv_passes_unknown_providers_through_and_maps_responses_to_chat():
    attrs = {"llm.request.type": "responses", "llm.provider": "openrouter"}
    semconv.add(attrs)
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openrouter"


# -- content ---------------------------------------------------------------------------------------------


def test_content_input_names_non_text_parts_without_copying_them():
    params = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "see"}, {"type": "image_url", "image_url": {"url": "data:AAAA"}}]},
            {"role": "assistant", "content": None,
             "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},  # fmt: skip
        ]
    }
    messages = json.loads(content.input_messages("chat", params, 10_000))
    assert messages[0] == {"role": "user", "parts": [{"type": "text", "content": "see"}, {"type": "generic", "generic_type": "image_url"}]}
    assert messages[1]["parts"] == [{"type": "tool_call", "id": "c1", "name": "f", "arguments": "{\"a\": 1}"}]
    assert "data:AAAA" not in json.dumps(messages)


def test_content_output_of_a_chat_response():
    result = NS(choices=[NS(finish_reason="stop", message=NS(content="hi there", tool_calls=None))])
    assert json.loads(content.output_messages("chat", result, 10_000)) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "hi there"}], "finish_reason": "stop"}
    ]


def test_content_is_capped_with_the_truncation_marker():
    text = content.capped(["x" * 500], 50)
    assert len(text) == 50
    assert text.endswith(content.TRUNCATED)


def test_content_switches(monkeypatch):
    monkeypatch.setattr(litellm, "turn_off_message_logging", False)
    assert content.enabled_for(True, {}, "input") is True
    assert content.enabled_for(False, {}, "input") is False
    assert content.enabled_for(True, {"metadata": {"mask_input": True}}, "input") is False
    assert content.enabled_for(True, {"metadata": {"mask_input": True}}, "output") is True
    assert content.enabled_for(True, {"metadata": {"mask_output": True}}, "output") is False
    monkeypatch.setattr(litellm, "turn_off_message_logging", True)
    assert content.enabled_for(True, {}, "output") is False


def test_field_reads_litellm_models_as_getattr_does():
    """field()'s pydantic fast path gives getattr's value for declared, extra, private and
    class-level names, and None where getattr would raise."""
    import litellm

    from litetrace.attributes.fields import field

    response = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="hello")
    usage = response.usage
    embedding = litellm.EmbeddingResponse(model="m", data=[])
    cases = [
        (response, "id"),  # declared field
        (response, "usage"),  # extra field
        (response, "_hidden_params"),  # private attribute
        (response, "choices"),
        (usage, "prompt_tokens"),
        (usage, "prompt_tokens_details"),
        (embedding, "hidden_params"),  # a property on the class
        (response.choices[0].message, "content"),
    ]
    for obj, name in cases:
        assert field(obj, name) is getattr(obj, name), (type(obj).__name__, name)
    for obj, name in ((usage, "input_tokens"), (usage, "cache_read_input_tokens"), (response, "no_such_name")):
        assert not hasattr(obj, name)
        assert field(obj, name) is None
    assert field(response, "usage").total_tokens == usage.total_tokens > 0


def test_fields_reads_each_name_as_field_does():
    """fields() (several names of one object at once) answers as field() for every kind of
    name and object: declared, extra, private and class-level names, misses, dicts, plain objects."""
    import litellm

    from litetrace.attributes.common import _USAGE_NAMES
    from litetrace.attributes.fields import field, fields

    response = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="hello")
    embedding = litellm.EmbeddingResponse(model="m", data=[])

    class Plain:
        id = "plain-id"

    groups = [
        (response, ("id", "model", "usage", "system_fingerprint", "choices")),  # "usage" is an extra
        (response, ("id", "_hidden_params", "no_such_name")),  # a private name: the general path
        (response.usage, _USAGE_NAMES),
        (embedding, ("model", "hidden_params", "data")),  # a property on the class
        ({"id": "d", "usage": None}, ("id", "usage", "missing")),
        (Plain(), ("id", "missing")),
        (None, ("id", "model")),
    ]
    for obj, names in groups:
        assert fields(obj, names) == [field(obj, name) for name in names], (type(obj).__name__, names)
        assert fields(obj, names) == [field(obj, name) for name in names]  # and again, from the caches
