"""Idea campaigns: campaigns (campaigns.py), the ideas proposed in them
(proposals.py), votes (votes.py), their workflow (workflow.py) and the project
space an accepted idea may become (projects.py)."""
