"""Page titles: the words a browser keeps in its history, tabs and bookmarks.

Someone checking a shared phone sees the titles without opening a page, and they stay after
"Leave this site". So a title never names a substance, injecting, danger or the question on
the page: every public page takes its title from the short neutral list below, chosen by its
template, never from its own heading.
"""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context

from wizard.domain.messages import N_
from wizard.platform import i18n

BRAND = N_("Find support")
QUESTION = N_("Question %(number)s of %(total)s")
# The error pages say what went wrong with the request, in their own neutral words (pages.py, share.py).
ERROR_PAGE = "errors/public.html"

# Template -> title. An empty title leaves only the brand.
BY_TEMPLATE = {
    "pages/start.html": "",
    "pages/question.html": QUESTION,
    "pages/check_answers.html": N_("Check your answers"),
    "pages/results.html": N_("Your options"),
    "pages/one_page.html": N_("All questions on one page"),
    "pages/help_now.html": N_("Contacts"),
    "pages/reach_out.html": N_("Get in touch"),
    "pages/callback_requested.html": N_("Your request has been sent"),
    "pages/plan.html": N_("My options"),
    "pages/share.html": N_("Save or share these results"),
    "pages/approach.html": N_("About this option"),
    "pages/staying_safe.html": N_("Staying safe online"),
    "pages/privacy.html": N_("Privacy"),
    "pages/accessibility.html": N_("Accessibility"),
    "pages/cookies_off.html": N_("Your browser is not accepting cookies"),
    "pages/partners.html": N_("Put the wizard on your website"),
    "pages/report_listing.html": N_("Report a problem with this listing"),
    "pages/report_listing_sent.html": N_("Thank you: your report has been sent"),
    "pages/report_listing_gone.html": N_("This listing is no longer in the directory"),
    "pages/report_listing_unavailable.html": N_("Your report could not be sent"),
    # In English only, like the page (no N_: nothing for the translators).
    "api/docs.html": "API for developers",
}

# Every title a public page other than an error page can have.
NEUTRAL_TITLES = frozenset(BY_TEMPLATE.values())


def title_for(template: str | None, context) -> str:
    """The page's own part of the title, in the person's language (empty: the brand alone)."""
    if template == ERROR_PAGE:
        return str(context.get("title") or "")
    msgid = BY_TEMPLATE.get(template or "", "")
    if not msgid:
        return ""
    text = i18n.translations().ugettext(msgid)
    if msgid == QUESTION:
        return text % {"number": context.get("number"), "total": context.get("total")}
    return text


@pass_context
def page_title(context: Context) -> str:
    """For the layout: the title of the page being rendered, chosen by its template."""
    return title_for(context.name, context)
