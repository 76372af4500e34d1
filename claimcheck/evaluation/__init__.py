"""Evaluation: span, type, claim and calibration metrics and the harness that runs a model over labelled data."""
