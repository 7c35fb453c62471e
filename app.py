"""Gradio chat (placeholder until the app lands)."""
