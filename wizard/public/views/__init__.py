"""The public pages, one module per stage of the journey: start and information pages, questions,
results, share links and the plan, reach out (the call-back request), and the embed's own files."""
