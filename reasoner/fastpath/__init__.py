"""The compiled fast path: the case form straight to a pyoxigraph store, the rules and the SHACL
shapes compiled once to SPARQL, many cases decided in one pass. pyshacl stays the reference
(``reasoner.validation``); the agreement tests prove both give the same results."""
