"""Idle GPUs: metric sources -> idle analysis -> cost per owner, in the digest and in DMs."""
