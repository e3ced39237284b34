from __future__ import annotations

from spiders.extract.fingerprint import content_hash, hamming, simhash

TEXT = (
    "Regional leaders traded proposals over the weekend on where the next round of peace talks should be held. "
    "Minsk, Bishkek and Kyiv were all mentioned, and officials said a compromise venue could be agreed before the "
    "end of the year. The president said Minsk had already shown it could host difficult negotiations, while the "
    "foreign minister in Bishkek argued that a neutral venue was what the talks needed now. Analysts expect the "
    "mediators to narrow the list within two weeks, and say the credibility of the process depends on the leaders "
    "meeting in person. "
    "Diplomats from three countries spent much of Friday comparing security arrangements, travel times and the "
    "availability of interpreters, according to two people familiar with the preparations. One of them said the "
    "delegations had asked for separate entrances and for a press centre far from the negotiating rooms, so that "
    "leaks would be harder. Another said the most difficult question was still who would chair the first session, "
    "because each side feared that the chair would set the agenda for the whole round. The mediators have promised "
    "to publish a short statement after every session, and to hold a joint press conference only when a document "
    "is ready to be signed by all parties."
)
OTHER = (
    "The central bank raised its key interest rate by half a percentage point on Thursday, citing persistent "
    "inflation in services and a weaker currency. Economists had expected a smaller move. The governor said further "
    "increases were possible if price growth did not slow in the coming months, and markets fell after the "
    "announcement while the currency recovered some of its losses against the dollar and the euro."
)


def test_content_hash_normalises_case_and_space():
    assert content_hash("Hello   World\n") == content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello world!")


def test_simhash_is_unsigned_64_bit_and_stable():
    h = simhash(TEXT)
    assert 0 <= h < 2**64
    assert simhash(TEXT) == h
    assert simhash("") == 0


def test_near_duplicates_are_close_and_different_texts_far():
    syndicated = TEXT.replace("over the weekend", "on Saturday and Sunday") + " (Reporting by Agency staff.)"
    near = hamming(simhash(TEXT), simhash(syndicated))
    far = hamming(simhash(TEXT), simhash(OTHER))
    assert near <= 8
    assert far >= 20
    assert near < far


def test_hamming():
    assert hamming(0, 0) == 0
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(2**64 - 1, 0) == 64
