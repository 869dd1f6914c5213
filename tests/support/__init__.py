"""Helpers shared by several test folders (never tests themselves)."""
