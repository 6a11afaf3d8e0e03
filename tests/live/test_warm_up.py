"""A serving process loads what pushes need before the first push needs it."""

from django.template import engines

from live.audiences import REGION_TEMPLATES
from live.regions import warm_up
from quizzes import sdg_tiles


def _compiled_templates() -> set[str]:
    [loader] = engines["django"].engine.template_loaders  # the cached loader
    return set(loader.get_template_cache)  # keyed by template name


def test_warm_up_compiles_the_live_templates_and_loads_the_sdg_tiles():
    engines["django"].engine.template_loaders[0].reset()
    sdg_tiles.tiles.cache_clear()
    warm_up.cache_clear()

    warm_up()

    compiled = _compiled_templates()
    assert set(REGION_TEMPLATES.values()) <= compiled
    assert {"steps/question/participant.html", "sdgmap/step/participant.html"} <= compiled
    assert sdg_tiles.tiles.cache_info().currsize == 1
