"""Stage tickets: data-science lifecycle stages, projects (epics), built-in, Jira and GitHub
trackers.
"""
