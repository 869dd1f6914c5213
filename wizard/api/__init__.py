"""The JSON API under /api/v1: the questions, approaches and organisations, and matching answers to
results, described by an OpenAPI document. It may import the platform, storage and the domain, never
the public journey or the staff console."""
