"""Data shipped with Encours: penalty rate table, default dunning scenarios, company details."""
