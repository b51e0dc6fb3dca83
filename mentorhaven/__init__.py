"""MentorHaven: a self-hostable mentoring platform built around the privacy kernel."""

__version__ = "0.1.0"
