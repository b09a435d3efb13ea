"""Date and number formats per language (settings.FORMAT_MODULE_PATH).

English pages show dates day-first with the month's name ("1 Dec 2026", 24-hour
"14:37"): a Norwegian company reads "12/01/2026" as 12 January. Norwegian pages follow
Norwegian conventions ("1. des. 2026", decimal comma, a space between thousands). Date
inputs take ISO dates (what ``<input type="date">`` sends) and the language's own form.
"""
