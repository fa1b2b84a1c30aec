"""Tools for the people who maintain the training data: data checks, evaluation diffs."""
