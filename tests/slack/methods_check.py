"""What the Slack double refuses before answering: a missing required parameter, Block Kit that
Slack would reject (invalid_blocks), text over Slack's limit."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block


def check(spec: dict[str, Any], params: dict[str, Any]) -> str | None:
    """Slack's error for a call to the method that `spec` (methods.json) describes, or None."""
    for name in spec.get("required", []):
        if params.get(name) in (None, ""):
            return "invalid_arguments"
    for group in spec.get("one_of", []):
        if not any(params.get(name) not in (None, "", []) for name in group):
            return "no_text" if "text" in group else "invalid_arguments"
    pairs = spec.get("pairs", [])
    if pairs and not any(all(params.get(name) not in (None, "") for name in pair) for pair in pairs):
        return "invalid_arguments"  # chat.unfurl: channel and ts, or unfurl_id and source
    if spec.get("unfurls"):
        return _unfurls_error(params.get("unfurls"))
    blocks = params.get("blocks")
    if "view" in params:
        view = params["view"]
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            return "invalid_arguments"
        if len(view.get("blocks", [])) > 100 or invalid(view.get("blocks", [])):
            return "invalid_blocks"
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > 50 or invalid(blocks):
            return "invalid_blocks"
    if len(str(params.get("text") or "")) > 40000:
        return "msg_too_long"
    return None


def _unfurls_error(unfurls: Any) -> str | None:
    """chat.unfurl's `unfurls`: a map of each shared URL to an attachment (text or blocks)."""
    if not unfurls:
        return "missing_unfurls"
    if not isinstance(unfurls, dict) or not all(isinstance(v, dict) and v for v in unfurls.values()):
        return "invalid_unfurls_format"
    if any("blocks" in v and (len(v["blocks"]) > 50 or invalid(v["blocks"])) for v in unfurls.values()):
        return "invalid_blocks"
    return None


def invalid(blocks: Any) -> bool:
    """Slack's invalid_blocks: a Block Kit formation error (slack_sdk's models), or what Slack checks
    beyond them: a block_id used twice in one message or view, an action_id twice in one block, a text
    object with no text."""
    if not isinstance(blocks, list) or _duplicate_ids(blocks) or _empty_text(blocks):
        return True
    try:
        for block in blocks:
            parsed = Block.parse(block)
            if parsed is None:
                return True
            parsed.to_dict()
    except Exception:  # noqa: BLE001 — any formation error is Slack's invalid_blocks
        return True
    return False


def _duplicate_ids(blocks: list[Any]) -> bool:
    block_ids = [b["block_id"] for b in blocks if isinstance(b, dict) and b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        return True
    for block in blocks:
        elements = block.get("elements") if isinstance(block, dict) and block.get("type") == "actions" else None
        action_ids = [e["action_id"] for e in elements or [] if isinstance(e, dict) and e.get("action_id")]
        if len(action_ids) != len(set(action_ids)):
            return True
    return False


def _empty_text(value: Any) -> bool:
    """A text object (plain_text or mrkdwn) with no text, anywhere in the blocks."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and "text" in value and not value["text"]:
            return True
        return any(_empty_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_empty_text(v) for v in value)
    return False
