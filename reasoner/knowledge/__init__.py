"""The knowledge a process compiles once: data paths, the parse cache, the ontology, the policy
versions and their files, the compiled bundle, the vocabulary read from the ontology, and diffs
between policy versions.

The modules stand one above the other (no circles): ``paths`` and ``terms`` < ``parsed_cache`` <
``ontology`` and ``vocabulary`` < ``policy_version`` < ``versions`` < ``policy_clauses`` < ``policy_files`` <
``compiled`` < ``policy_diff``.
"""
