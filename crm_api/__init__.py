"""智能客服 CRM API: customers, accounts, one-time codes for the bank assistant."""
