"""Identity resolution: one customer id per person across sources.

* :mod:`~accord.identity.normalise`: e-mail, id and phone normalisers (pure and SQL);
* :mod:`~accord.identity.phones`: bulk phone normalisation;
* :mod:`~accord.identity.rules`: which identifiers link records, per source;
* :mod:`~accord.identity.graph`: connected components and the over-merge guard;
* :mod:`~accord.identity.stable_ids`: ids that survive rebuilds, merges recorded;
* :mod:`~accord.identity.resolve`: ``run_identity``, the pipeline step;
* :mod:`~accord.identity.explain`: why a customer is the records it is.
"""
