"""Linkage: seller accounts -> scored links -> traders.

`accounts` builds one record per account from the case; `evidence` finds what orders say
(self-purchases) and which identifiers are hubs; `model` trains and applies the Splink model;
`clustering` turns links into groups that resist chaining; `traders` keeps trader ids stable
across runs; `pipeline` ties them together for `resolver match` and `resolver train`.
"""
