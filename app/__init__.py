"""Ruche, a self-hostable enterprise social network."""
