"""Tests of the demo-data app."""
