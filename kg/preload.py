"""Imported once by a build's fork server (kg.pipeline.executor.open_executor) before it forks the local
workers: the spaCy model, the gazetteer and the extractors' tables load here once (1.7 s), and
every worker starts with them, in memory it shares with the others, instead of loading them
itself. (Not the SHACL validator: the workers need it at the end only, and the fork server
keeps the workers waiting while it loads.)"""
from kg.worker import warm_up

warm_up()
