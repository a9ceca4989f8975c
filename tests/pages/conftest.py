"""A small published world for the page tests, with a draft of each kind beside it
(tests/worlds.py builds it once per module)."""

from tests.worlds import build_page_world, module_world

_world_built, world = module_world(build_page_world)
