"""Conversation review: masked transcripts, filters, saving a session as a test story."""
