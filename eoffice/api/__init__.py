"""The JSON API under /api/v1. Unauthenticated calls get 401 JSON, never a login redirect."""
