"""Shared helpers for Chinese bank-customer text, used by bot/, actions/, trainer/ and crm_api/.

One home for: character normalisation (full-width, Traditional), amounts and periods,
identifiers (phone, card, ID number), the personal-data patterns and the one masker,
and the Redis fan-out. Nothing here imports the bot, the actions, the trainer tools or
the CRM; it depends only on small libraries both environments install.
"""
