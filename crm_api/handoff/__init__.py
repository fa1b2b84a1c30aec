"""Human handoff: the queue of conversations waiting for an agent, claims, live chat
relay to the bot's channel, callbacks, agent presence and the staff console's feed."""
