"""Trainer tools (issue 7): NLU inbox, annotation into data/, conversation review, retraining.

The training data stays as YAML files in the git work tree (`TRAINER_REPO_DIR`); the
console and `python -m crm_api.manage inbox …` edit those files, never a copy in a database.
"""
