"""Web chat and mobile-app input channel (``webchat``), mounted under ``/webhooks/webchat/``.

Routes:
    GET  /            the customer chat page (static files under /static/)
    POST /session     start or resume a conversation; returns a signed session token
    GET  /history     the visible transcript of the session's conversation
    POST /messages    send a message, get the bot's replies
    WS   /ws?token=   pushes to the page: agent messages, typing, queue place, bot resumed
    POST /agent/<conversation>/{messages,typing,close}   crm_api only (RASA_TOKEN): an
                      agent's message, typing indicator, end of the handoff

The conversation (Rasa sender id) is bound to a session token signed with WEBCHAT_SECRET;
the client never chooses a sender id or message metadata. App users prove who they are
with an app identity token (HS256, APP_TOKEN_SECRET); it is checked here and forwarded to
the action server as ``metadata.identity_token``, which verifies it again before any
customer data is read. See docs/app-protocol.md.

One module per job: ``channel`` (settings, the blueprint), ``routes`` (the customer's
routes), ``sessions`` (tokens), ``messages`` (text and intent shortcuts), ``push_socket``
(the page's WebSocket), ``relay`` (the agent's side of a handoff), ``transcripts`` (what
the page shows), ``api`` (JSON and errors). credentials.yml names
``bot.channels.webchat.WebChatInput``.
"""

from bot.channels.webchat.channel import WebChatInput

__all__ = ["WebChatInput"]
