"""Checks on a real GPU (tests/gpu/conftest.py); a package, so its conftest is not taken for tests/conftest.py."""
