"""GenAI agent-span names litetrace's decorators use.

From open-telemetry/semantic-conventions-genai, docs/gen-ai/gen-ai-agent-spans.md at
revision e8fc5751506258db1459d1bde47994e01dee922e: ``invoke_workflow {gen_ai.workflow.name}``,
``invoke_agent {gen_ai.agent.name}`` (INTERNAL for in-process agents),
``execute_tool {gen_ai.tool.name}``. Literals with the package's constants preferred:
older semantic-conventions packages (our floor) lack some of them.
"""

from __future__ import annotations

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as _gen_ai

WORKFLOW_NAME: str = getattr(_gen_ai, "GEN_AI_WORKFLOW_NAME", "gen_ai.workflow.name")
AGENT_NAME: str = getattr(_gen_ai, "GEN_AI_AGENT_NAME", "gen_ai.agent.name")
TOOL_NAME: str = getattr(_gen_ai, "GEN_AI_TOOL_NAME", "gen_ai.tool.name")
TOOL_TYPE: str = getattr(_gen_ai, "GEN_AI_TOOL_TYPE", "gen_ai.tool.type")
CONVERSATION_ID: str = getattr(_gen_ai, "GEN_AI_CONVERSATION_ID", "gen_ai.conversation.id")
SESSION_ID = "session.id"
USER_ID = "user.id"

INVOKE_WORKFLOW = "invoke_workflow"
INVOKE_AGENT = "invoke_agent"
EXECUTE_TOOL = "execute_tool"
