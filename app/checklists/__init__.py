"""Checklist templates: the versioned definitions patrols, handovers and inspections are filled on."""
