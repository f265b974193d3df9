"""Readers for the raw sources in knowledge_base/sources/: ESCO, O*NET, credential catalogues and rules.

One module per source (esco, onet, roadmap, coursera, edx, curated, rules), shared helpers in `common`. Each
reader turns one source into the shared records of coach.models and never invents a fact: a field the source
does not state stays empty. coach.knowledge.build assembles the readers' output into a Catalog.
"""
