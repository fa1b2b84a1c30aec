"""Shared library of the bot, the actions, the trainer tools and crm_api.

One home for what more than one side needs:

* ``chars``, ``text``: character normalisation (full-width, Traditional) and free text;
* ``amounts``, ``periods``: Chinese and mixed numerals as Decimal, spoken periods as dates;
* ``identifiers``, ``pii_patterns``: phone, card, ID number and one-time-code detection;
* ``masking``: the one masker (display forms, precise and eager maskers, log filter);
* ``complaints``: the complaint categories and statuses (the NLU contract and the CRM's);
* ``secrets``: what counts as a usable secret in production;
* ``fanout``: Redis publish/subscribe between instances.

Nothing here imports the bot, the actions, the trainer tools or the CRM (an import
contract in pyproject.toml checks it); it depends only on libraries both environments
install.
"""
