"""Organisations (edXML OrganId), their units as a tree, and positions."""
