"""Filling in the call-back form the way a person would, for several test modules, and checking its
values outside a request."""

from __future__ import annotations

import re

from wizard.domain.contact_details import FieldError
from wizard.platform.i18n import LANGUAGES
from wizard.public.callback_form import CallbackForm

VALID = {
    "name": "Sam",
    "phone": "+44 7911 123456",
    "email": "",
    "contact_method": "call",
    "best_time": "morning",
    "language": "en",
    "leave_message": "no",
    "say_who": "no",
    "for_whom": "myself",
    "message": "Evenings are hard.",
    "consent": "y",
}


def form_key(page) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page.html)
    assert match, f"no form key on {page.url}"
    return match.group(1)


def send(browser, page, **fields):
    """Submit the call-back form on `page` (a reach-out page) with VALID plus `fields`."""
    data = {**VALID, **fields, "csrf_token": page.csrf_token(), "form_key": form_key(page)}
    data = {name: value for name, value in data.items() if value is not None}
    action = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf_token"', page.html
    )
    assert action, "no call-back form"
    return browser.post(action.group(1), data=data)


def reference_on(page) -> str:
    match = re.search(r'class="reference"><bdi dir="ltr">([0-9A-Z]{4}-[0-9A-Z]{4})</bdi>', page.html)
    assert match, f"no reference on {page.url}"
    return match.group(1)


def read_callback(values, *, country, languages=LANGUAGES) -> tuple[dict, list[FieldError]]:
    """Check call-back form values outside a request, as the reach-out page checks a posted form:
    `values` has each field's `.data`. Returns the details to store, or the errors in form order."""
    assert languages == LANGUAGES, "the form offers the app's languages"
    form = CallbackForm(formdata=None, country=country)
    for field in form:
        field.data = getattr(values, field.name).data if hasattr(values, field.name) else None
    if form.validate():
        return form.details(), []
    return {}, [FieldError(field, message) for field, message in form.first_errors().items()]
