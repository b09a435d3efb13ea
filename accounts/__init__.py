"""Per-user settings (My settings): the user's time zone.

The bottom of the apps above ``audit``: every app may read a user's preferences, this app
reads none of them.
"""
