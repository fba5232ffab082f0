"""Measured impact (issue 24): do the people who use the AI tool do better, and by how much.

Read the two files (:mod:`roi.impact.files`), join them into a person × period panel with
usage tiers (:mod:`roi.impact.panel`), estimate (:mod:`roi.impact.estimates`) and report
with the anonymity rule and plain-language verdicts (:mod:`roi.impact.report`)."""
