"""Pathway Coach: stacked microcredential pathways, grounded in real catalogues."""
