"""Retraining from the console: rasa train in the background, then reload the server."""
