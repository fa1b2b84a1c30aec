"""Custom actions of the bank assistant (rasa-sdk). One module per flow.

`actions` never imports `crm_api`: the two meet only over HTTP (see crm_client.py).
"""
