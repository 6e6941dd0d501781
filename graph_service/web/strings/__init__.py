"""Interface strings of one feature each (STRINGS: key -> (French, English)), merged into the
catalogue of web/i18n.py: a feature's forms bring their own words without editing a shared file."""
