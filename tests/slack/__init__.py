"""The Slack side of the tests: a Web API double and a client that sends signed requests."""
