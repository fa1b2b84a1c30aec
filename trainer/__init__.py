"""Trainer tools: NLU inbox, annotation into data/, conversation review, retraining, data checks.

The training data stays as YAML files in the git work tree (``TRAINER_REPO_DIR``); the
console and ``python -m crm_api.manage inbox …`` edit those files, never a copy in a
database. crm_api mounts :data:`trainer.router.router`; everything but ``trainer.checks``
runs in the CRM's environment and never imports Rasa or ``bot/``. ``trainer.checks``
(data-quality report, evaluation diff) runs in the bot's environment: it reads the
training data with Rasa's own parser.
"""
