"""The public journey, at the site's root and in partner sites' embeds: questions, results, share
links, the plan and the call-back request. It may import the platform, storage and the domain, never
the staff console or the API."""
