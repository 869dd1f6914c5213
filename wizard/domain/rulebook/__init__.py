"""The pure domain: the rules file's model, its loader and checks, the matching engine and the
answer space. It may import only the standard library, pydantic, YAML, phonenumbers and
`wizard.domain.messages`; never Flask, a database or storage (enforced by import-linter, `make lint`)."""
