"""The pure domain: the rulebook and its matching, the path through the questions, share codes and
the checks on contact details. It may import only the standard library and pure libraries (pydantic,
YAML, phonenumbers, Babel's data); never Flask, a template engine, a database or `wizard.storage`."""
