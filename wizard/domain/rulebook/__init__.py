"""The rules folder as data: its frozen model, the condition language, and the loader that checks
every file and reports every problem. It may import only the standard library, pydantic, YAML,
phonenumbers, `wizard.domain.messages` and `wizard.domain.vocabulary`; never Flask, a database or
storage (enforced by import-linter, `make lint`)."""
