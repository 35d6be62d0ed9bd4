"""Analyse: NetworkX projections of the facts and plain functions over them.

The projections read the same facts the RDF graph holds (the Extraction objects of a build), in
one place each: :func:`flow_network` for places and flows, :func:`actor_network` for actors
and their relations. Everything else is a function ``f(G, ...) -> rows``. Hedged flows (the
text only says they may happen) are left out of the projections and counts unless asked for
(``hedged=True``): :func:`counted` is the one filter.
"""
from kg.analyse.network import (actor_network, communities, corridors, counted, flow_network,
                                 place_roles, route_paths, transit_hubs, central_actors)

__all__ = ["actor_network", "central_actors", "communities", "corridors", "counted", "flow_network",
           "place_roles", "route_paths", "transit_hubs"]
