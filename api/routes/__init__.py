"""One APIRouter per resource: health, cases, policies, sparql."""
