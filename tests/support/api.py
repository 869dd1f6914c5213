"""Checking real API responses against the OpenAPI document the API publishes."""

from __future__ import annotations

import jsonschema_rs


class Contract:
    """Looks up the schema the OpenAPI document gives a response, and validates against it."""

    def __init__(self, document: dict):
        self.document = document
        # Paths in the document are relative to its one server, /api/v1.
        self.base = document["servers"][0]["url"]
        self.checked: set[tuple[str, str]] = set()

    def _resolve(self, item: dict) -> dict:
        while "$ref" in item:
            *_, section, name = item["$ref"].split("/")
            item = self.document["components"][section][name]
        return item

    def validator(self, schema: dict):
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        root["components"] = self.document["components"]
        return jsonschema_rs.validator_for(root, validate_formats=True)

    def check(self, path: str, method: str, response) -> None:
        operation = self.document["paths"][path.removeprefix(self.base)][method]
        documented = operation["responses"]
        assert str(response.status_code) in documented, f"{method} {path}: {response.status_code} is not documented"
        expected = self._resolve(documented[str(response.status_code)])
        content = expected.get("content")
        self.checked.add((path, method))
        if not content:
            assert not response.data
            return
        assert response.mimetype in content, f"{method} {path}: {response.mimetype} is not documented"
        if response.mimetype == "text/html":
            return
        errors = [
            f"{e.message} at {list(e.instance_path)}"
            for e in self.validator(content[response.mimetype]["schema"]).iter_errors(response.get_json(force=True))
        ]
        assert not errors, f"{method} {path} [{response.status_code}]: " + "; ".join(errors[:5])
