"""Real services the tests start for themselves: PostgreSQL, SeaweedFS S3, Redis, Chromium, ...

Every fixture that needs an outside component goes through `require()`, so that a developer
without the component sees a skip with the reason, while CI (CI=true) fails loudly instead.
"""
