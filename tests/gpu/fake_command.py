"""Stands in for kubectl / scancel: appends its arguments (after the log file) as one line to the log file."""

import sys

with open(sys.argv[1], "a") as log:
    log.write(" ".join(sys.argv[2:]) + "\n")
