"""Imported once by a build's fork server (kg.pipeline.executor.open_executor) before it forks
the local workers: what they run loads here once, in memory they share, instead of in each
worker. First what extraction uses (the spaCy model, the gazetteer, the extractors' tables:
kg.worker.warm_up), then what the workers run after it: the tables, the SHACL validator, the
actors' analysis and map (with the layout's scipy.optimize), GraphML and GEXF
(kg.pipeline.stages), which each worker imported for itself (0.8 CPU-s of a corpus build).

The build reads the first files itself while this loads (kg.pipeline.reading._read_ahead),
so a longer load costs it nothing while there are files left to read. Python's cyclic
garbage collector is paused while it loads, and what was loaded is then left out of its
passes (kg.worker.collector_paused): they took 0.7 s of the load."""
import gc

THRESHOLDS = gc.get_threshold()
gc.set_threshold(0)     # (before the first import: the imports make most of the objects)

from kg.worker import collector_paused, warm_up

with collector_paused():
    import pyshacl  # noqa: F401
    import scipy.optimize  # noqa: F401

    from kg.export import graphs, maps, report, tables  # noqa: F401
    from kg.pipeline import stages  # noqa: F401
    warm_up()
gc.set_threshold(*THRESHOLDS)
