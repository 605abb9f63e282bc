"""Tasks of project spaces: the board (writing and moving), assignees,
checklists, links, what each reader is shown, a space's progress and the
reminders of late tasks. Every read goes through ``access_task`` or
``app.access.readable``: a task its viewer may not read is as missing as one
that does not exist."""
