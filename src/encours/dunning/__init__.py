"""Collections: dunning scenarios, the outbox of actions and the channels that deliver them."""
