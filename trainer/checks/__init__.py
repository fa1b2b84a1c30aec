"""Checks on the training data, run in the bot environment (they use Rasa's parser)."""
