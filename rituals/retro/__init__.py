"""Interactive retrospectives in a Slack thread: collect, group, vote, discuss, act, follow up."""
