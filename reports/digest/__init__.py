"""The channel digest: one scheduled message per channel, with sections contributed by reports."""
