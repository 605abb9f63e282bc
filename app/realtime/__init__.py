"""Live activity: events recorded with the changes, published after commit,
fanned out to websockets by a per-process hub, each checked against the policy
for its reader."""
