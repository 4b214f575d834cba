"""Synthetic demo data for Ponte (`manage.py seed_demo`) and the benchmark's limit view."""
