"""Imported once by a build's fork server (kg.pipeline._executor) before it forks the local
workers: the spaCy model, the gazetteer and the extractors' tables load here once (1.7 s), and
every worker starts with them, in memory it shares with the others, instead of loading them
itself. (Not the SHACL validator: the workers need it at the end only, and the fork server
keeps the workers waiting while it loads.)"""
from pathlib import Path

from kg.worker import read_and_extract

WARM_UP = (b"Kazakhstan is a source and destination country for men and women trafficked to "
           b"Russia for forced labor. Minister Ivan Petrov said the Ministry of Justice and "
           b"the IOM office in Almaty work together.\n")

read_and_extract(Path("warm-up.txt"), max_mb=1, data=WARM_UP)
