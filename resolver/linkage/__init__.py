"""Linkage: seller accounts -> scored links -> traders.

The case gives one record per account and the orders shipped to other accounts' registrants;
`evidence` turns those orders into pairs; `model` trains and applies the Splink model;
`clustering` turns links into groups that resist chaining; `traders` keeps trader ids stable
across runs; `pipeline` ties them together for `resolver match` and `resolver train`; `explain`
says why two accounts are (or are not) one trader; `quality` scores a clustering against a truth.
"""
