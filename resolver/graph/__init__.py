"""The graph: traders, accounts, orders, identifiers and disclosures, in Neo4j or in the
embedded FalkorDB default; one Cypher query library for both (`cypher/`)."""
