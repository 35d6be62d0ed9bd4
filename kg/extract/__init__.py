"""Extract: Document -> Extraction, as a plain tuple of steps (doc, extraction) -> extraction.

Each step adds what it finds; the steps run in order, so a later step sees what earlier ones
found. Entities are resolved across documents by their stable ids when the build merges them.
"""
from __future__ import annotations

from collections.abc import Callable

from kg.extract.flows import find_flows
from kg.extract.organizations import find_organizations
from kg.extract.people import find_people
from kg.extract.places import find_places
from kg.extract.relations import find_relations
from kg.model import Document, Extraction

Step = Callable[[Document, Extraction], Extraction]

STEPS: tuple[Step, ...] = (find_places, find_organizations, find_people, find_flows,
                              find_relations)


def extract(doc: Document, steps: tuple[Step, ...] = STEPS, thorough: bool = False) -> Extraction:
    """Run the extraction steps over one document (``thorough``: the model reads every
    sentence, see :func:`kg.extract.people.find_people`).

    >>> from kg.model import Document
    >>> doc = Document("d1", "d1.txt", "d1.txt", "0" * 64, "Text.", ())
    >>> extract(doc).document.id
    'd1'
    """
    extraction = Extraction(document=doc)
    for step in steps:
        if thorough and step is find_people:
            extraction = find_people(doc, extraction, thorough=True)
        else:
            extraction = step(doc, extraction)
    return extraction
