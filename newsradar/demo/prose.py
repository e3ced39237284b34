"""Templates for the demo newsroom's prose: English and Russian news sentences per topic.

VOCABULARY CONTRACT (checked by ``check_vocabulary`` and the unit tests): peace-talks articles
always carry "peace talks"/"peace negotiations" (en) or "мирных переговоров"/"мирные переговоры"/
"мирных переговорах" (ru); no other text uses "peace" or a word starting with "мирн"/"переговор".
Each other topic's keywords (``TOPIC_PATTERNS``) appear only in articles of that topic, so the
manifest's topics are the truth a topic query should find.

Slots in braces are filled by :func:`fill`; Russian slots carry already-inflected forms
(``{p1_gen}`` "Зеленского", ``{city_prep}`` "Минске") so the text reads naturally.
"""

from __future__ import annotations

import random
import re

TOPICS = ("peace_talks", "ceasefire", "energy", "elections", "sanctions", "sport", "culture", "economy")

# Keyword patterns per topic and language: an article must match the patterns of exactly its topics.
TOPIC_PATTERNS: dict[str, dict[str, str]] = {
    "peace_talks": {"en": r"\bpeace\b", "ru": r"(?<!\w)(мирн|переговор)\w*"},
    "ceasefire": {"en": r"\b(ceasefire|front line)\b", "ru": r"(?<!\w)(перемири\w*|линии фронта)"},
    "energy": {"en": r"\b(gas|oil|energy)\b", "ru": r"(?<!\w)(газ|газа|газу|газом|нефт\w*|энергет\w*)(?!\w)"},
    "elections": {"en": r"\b(election\w*|vote)\b", "ru": r"(?<!\w)(выбор\w*|голосован\w*)"},
    "sanctions": {"en": r"\bsanction\w*", "ru": r"(?<!\w)санкци\w*"},
    "sport": {"en": r"\b(match|championship)\b", "ru": r"(?<!\w)(матч\w*|чемпионат\w*)"},
    "culture": {"en": r"\b(festival|exhibition)\b", "ru": r"(?<!\w)(фестивал\w*|выставк\w*)"},
    "economy": {"en": r"\b(inflation|GDP)\b", "ru": r"(?<!\w)(инфляци\w*|ВВП)(?!\w)"},
}
# Stricter than the topic pattern: the exact phrases the warehouse's peace-talks query looks for.
PEACE_PHRASES = {
    "en": r"\bpeace (talks|negotiations)\b",
    "ru": r"(?<!\w)(мирных переговоров|мирные переговоры|мирных переговорах)(?!\w)",
}
# Broad stems per topic: an article NOT on a topic contains none of them (broader than any sensible
# query, on purpose: "газета" would leak into a careless "газ*", "electricity" into "elect*").
BROAD_PATTERNS: dict[str, dict[str, str]] = {
    "peace_talks": {"en": r"\b(peace|negotiat)", "ru": r"(?<!\w)(мирн|переговор)"},
    "ceasefire": {
        "en": r"\b(ceasefire|front.?line|truce)",
        "ru": r"(?<!\w)(перемири|линии фронта|прекращени\w* огня)",
    },
    "energy": {"en": r"\b(gas|oil|energ|electric)", "ru": r"(?<!\w)(газ|нефт|энерг|электроэнерг)"},
    "elections": {"en": r"\b(elect|vot|ballot)", "ru": r"(?<!\w)(выбор|голосован|избират)"},
    "sanctions": {"en": r"\bsanction", "ru": r"(?<!\w)санкци"},
    "sport": {"en": r"\b(match|championship)", "ru": r"(?<!\w)(матч|чемпионат)"},
    "culture": {"en": r"\b(festival|exhibition)", "ru": r"(?<!\w)(фестивал|выставк)"},
    "economy": {"en": r"\b(inflation|gdp)", "ru": r"(?<!\w)(инфляц|ввп)"},
}


def check_vocabulary(text: str, lang: str, topics: list[str] | set[str]) -> list[str]:
    """Contract violations of ``text`` (title + body) for an article on ``topics``; empty when fine."""
    problems = []
    for t in TOPICS:
        if t in topics:
            pat = PEACE_PHRASES[lang] if t == "peace_talks" else TOPIC_PATTERNS[t][lang]
            if not re.search(pat, text, re.IGNORECASE):
                problems.append(f"{t}: no keyword matching {pat!r}")
        else:
            m = re.search(BROAD_PATTERNS[t][lang], text, re.IGNORECASE)
            if m:
                problems.append(f"not {t} but contains {m.group(0)!r}")
    return problems


def topic_matches(text: str, lang: str) -> set[str]:
    """Topics whose keywords occur in ``text`` (case-insensitive)."""
    return {t for t, pats in TOPIC_PATTERNS.items() if re.search(pats[lang], text, re.IGNORECASE)}


# ---------------------------------------------------------------- entities

PEOPLE_EN = [
    ("Volodymyr Zelensky", "Zelensky", "Ukrainian President"),
    ("Vladimir Putin", "Putin", "Russian President"),
    ("Ilham Aliyev", "Aliyev", "Azerbaijani President"),
    ("Nikol Pashinyan", "Pashinyan", "Armenian Prime Minister"),
    ("Alexander Lukashenko", "Lukashenko", "Belarusian leader"),
    ("Recep Tayyip Erdogan", "Erdogan", "Turkish President"),
    ("Emmanuel Macron", "Macron", "French President"),
    ("Kassym-Jomart Tokayev", "Tokayev", "Kazakh President"),
    ("Sadyr Japarov", "Japarov", "Kyrgyz President"),
]
# nominative full, surname nom, gen, dat, ins
PEOPLE_RU = [
    ("президент Украины Владимир Зеленский", "Зеленский", "Зеленского", "Зеленскому", "Зеленским"),
    ("президент России Владимир Путин", "Путин", "Путина", "Путину", "Путиным"),
    ("президент Азербайджана Ильхам Алиев", "Алиев", "Алиева", "Алиеву", "Алиевым"),
    ("премьер-министр Армении Никол Пашинян", "Пашинян", "Пашиняна", "Пашиняну", "Пашиняном"),
    ("президент Белоруссии Александр Лукашенко", "Лукашенко", "Лукашенко", "Лукашенко", "Лукашенко"),
    ("президент Турции Реджеп Тайип Эрдоган", "Эрдоган", "Эрдогана", "Эрдогану", "Эрдоганом"),
    ("президент Франции Эмманюэль Макрон", "Макрон", "Макрона", "Макрону", "Макроном"),
    ("президент Казахстана Касым-Жомарт Токаев", "Токаев", "Токаева", "Токаеву", "Токаевым"),
    ("президент Киргизии Садыр Жапаров", "Жапаров", "Жапарова", "Жапарову", "Жапаровым"),
]
CITIES_EN = [
    "Minsk",
    "Bishkek",
    "Kyiv",
    "Istanbul",
    "Geneva",
    "Baku",
    "Yerevan",
    "Ankara",
    "Paris",
    "Brussels",
    "Moscow",
    "Astana",
    "Tbilisi",
    "Vienna",
]
# nominative, genitive, prepositional
CITIES_RU = [
    ("Минск", "Минска", "Минске"),
    ("Бишкек", "Бишкека", "Бишкеке"),
    ("Киев", "Киева", "Киеве"),
    ("Стамбул", "Стамбула", "Стамбуле"),
    ("Женева", "Женевы", "Женеве"),
    ("Баку", "Баку", "Баку"),
    ("Ереван", "Еревана", "Ереване"),
    ("Анкара", "Анкары", "Анкаре"),
    ("Париж", "Парижа", "Париже"),
    ("Брюссель", "Брюсселя", "Брюсселе"),
    ("Москва", "Москвы", "Москве"),
    ("Астана", "Астаны", "Астане"),
    ("Тбилиси", "Тбилиси", "Тбилиси"),
    ("Вена", "Вены", "Вене"),
]
ORGS_EN = ["UN", "NATO", "EU", "OSCE", "IAEA", "Council of Europe"]
ORGS_RU = ["ООН", "НАТО", "ЕС", "ОБСЕ", "МАГАТЭ", "ЕАЭС"]
COUNTRIES_EN = [
    "Azerbaijan",
    "Turkey",
    "Kazakhstan",
    "Armenia",
    "Georgia",
    "Ukraine",
    "Belarus",
    "Kyrgyzstan",
    "France",
    "Uzbekistan",
]
COUNTRIES_RU = [
    "Азербайджан",
    "Турция",
    "Казахстан",
    "Армения",
    "Грузия",
    "Украина",
    "Белоруссия",
    "Киргизия",
    "Франция",
    "Узбекистан",
]
REGIONS_EN = ["Donetsk", "Zaporizhzhia", "Kharkiv", "Kherson", "Sumy", "Dnipropetrovsk"]
REGIONS_RU = [
    "Донецкой области",
    "Запорожской области",
    "Харьковской области",
    "Херсонской области",
    "Сумской области",
    "Днепропетровской области",
]
TEAMS_EN = [
    "Qarabag",
    "Sabah",
    "Dynamo Kyiv",
    "Shakhtar Donetsk",
    "Spartak Moscow",
    "Zenit",
    "Ararat-Armenia",
    "Dinamo Minsk",
    "Kairat Almaty",
    "Dordoi Bishkek",
]
TEAMS_RU = [
    "Карабах",
    "Сабах",
    "Динамо Киев",
    "Шахтёр",
    "Спартак",
    "Зенит",
    "Арарат-Армения",
    "Динамо Минск",
    "Кайрат",
    "Дордой",
]
ORDINALS_EN = ["first", "second", "third", "fourth", "fifth", "sixth"]
ORDINALS_RU = ["первое", "второе", "третье", "четвёртое", "пятое", "шестое"]
REPORTERS_EN = [
    "Anna Whitfield",
    "Rashad Mammadov",
    "Leyla Hasanova",
    "Tom Brennan",
    "Sofia Marchenko",
    "Daniel Okafor",
    "Aigerim Nurlanova",
    "Peter Lindqvist",
    "Nina Kovacs",
    "Elchin Aliyev",
]
REPORTERS_RU = [
    "Анна Петрова",
    "Игорь Соколов",
    "Марина Волкова",
    "Алексей Орлов",
    "Екатерина Лебедева",
    "Тимур Ахмедов",
    "Ольга Белова",
    "Сергей Кузнецов",
]

# ---------------------------------------------------------------- templates, English

EN: dict[str, dict[str, list[str]]] = {
    "peace_talks": {
        "title": [
            "New round of peace talks opens in {city}",
            "{p1s} says peace negotiations could resume within weeks",
            "Envoys meet in {city} as peace talks enter a new phase",
            "{org} offers to host peace talks in {city}",
            "{p1s} and {p2s} discuss peace negotiations by phone",
            "Delegations arrive in {city} for peace talks",
        ],
        "lead": [
            "A new round of peace talks opened in {city}, with envoys of {p1} and {p2s} meeting behind "
            "closed doors for {n_small} hours.",
            "{p1} said peace negotiations could resume in {city} within weeks, provided both delegations "
            "agreed on an agenda in advance.",
            "Mediators from the {org} proposed hosting peace talks in {city}, according to two diplomats "
            "familiar with the plan.",
            "{p1} and {p2} discussed the prospects for peace negotiations in a telephone call, their "
            "offices said in almost identical statements.",
            "The next stage of the peace talks will be held in {city}, the foreign ministry of {country} "
            "confirmed after a meeting with the {org} envoy.",
        ],
        "body": [
            "Officials in {city2} described the atmosphere of the peace talks as businesslike but tense.",
            "A draft framework reportedly runs to {n} pages and covers prisoner exchanges, humanitarian "
            "corridors and security guarantees.",
            "{p2s} insisted that any agreement must be backed by guarantees from the {org}.",
            "Observers noted that the previous round of peace negotiations broke down after {n_small} days "
            "without a joint statement.",
            "Envoys are expected to brief their capitals before the delegations reconvene in {city2}.",
            "A spokesperson for {p1s} said the delegation had a mandate to discuss a phased settlement.",
            "The host government offered {city} as a permanent venue for the peace talks.",
            "Diplomats cautioned that the gap between the two sides on territorial questions remains wide.",
            "According to the agenda seen by reporters, the first session lasted almost {n_small} hours.",
            "Humanitarian issues, including the return of detained civilians, were placed first on the list.",
            "A senior {org} official said the organisation stood ready to monitor any agreement reached.",
        ],
    },
    "ceasefire": {
        "title": [
            "Heavy fighting reported along the front line near {region}",
            "Ceasefire violations reported overnight in {region}",
            "Ceasefire largely holds in {region}, officials say",
            "Military says front line near {region} unchanged after attacks",
            "Monitors count {n} ceasefire violations in a week",
        ],
        "lead": [
            "Fighting intensified along the front line near {region} overnight, military officials said on "
            "the morning of the {ordinal} day of the offensive.",
            "Both sides accused each other of violating the ceasefire in the {region} region, where monitors "
            "counted {n} explosions in a single night.",
            "The ceasefire around {region} largely held over the past day, according to local officials "
            "and residents reached by telephone.",
            "Troops repelled {n_small} attacks along the front line in the {region} region, the general "
            "staff said in its morning summary.",
        ],
        "body": [
            "Local authorities reported damage to {n_small} residential buildings and a school.",
            "Monitors from the {org} said they had recorded {n} violations of the ceasefire in {n_small} days.",
            "Drone attacks were reported in the {region} region, forcing residents to spend the night in "
            "shelters.",
            "A military spokesperson said the situation on the front line remained difficult but under "
            "control.",
            "The evacuation of residents from villages close to the fighting continued, with {n} people "
            "moved to safer areas.",
            "Engineers are working to restore water supplies cut by the shelling.",
            "Regional governor's office said schools in the area would continue teaching online.",
            "Satellite images published by analysts showed fresh craters near the main road.",
            "Aid convoys were delayed for {n_small} hours because of the shelling.",
        ],
    },
    "energy": {
        "title": [
            "{country} signs gas supply deal with {country2}",
            "Oil prices climb as traders weigh supply risks",
            "Energy ministers meet in {city} to discuss winter supplies",
            "New pipeline to carry gas from {country} to {country2}",
            "Oil exports from {country} rise by {pct} percent",
        ],
        "lead": [
            "{country} and {country2} signed an agreement in {city} to expand gas deliveries by {n_small} "
            "billion cubic metres a year.",
            "Oil prices rose {pct} percent in early trading as investors weighed the risk of supply "
            "disruptions in the Black Sea.",
            "Energy ministers from {n_small} countries met in {city} to coordinate gas storage and "
            "power imports before the winter.",
            "Oil exports from {country} rose by {pct} percent in October, the energy ministry said.",
        ],
        "body": [
            "The energy ministry said storage facilities were {pct} percent full ahead of the winter.",
            "Brent crude traded near {price} dollars a barrel.",
            "The deal covers gas transit through the Southern Gas Corridor until {year}.",
            "Analysts said the energy market remains sensitive to weather and shipping costs.",
            "State oil company SOCAR said output at its offshore fields was stable.",
            "Engineers completed maintenance on a compressor station, restoring full gas flows.",
            "Officials in {city2} said the new interconnector would be ready by {year}.",
            "Traders noted that tanker rates on the route had doubled since the summer.",
            "The agreement also includes a study of green hydrogen exports.",
        ],
    },
    "elections": {
        "title": [
            "Voters head to the polls in {country} local election",
            "Election commission in {country} publishes preliminary results",
            "Opposition disputes vote count in {city}",
            "Turnout reaches {turnout} percent in {country} election",
            "{country} sets date for snap parliamentary election",
        ],
        "lead": [
            "Polling stations opened across {country} on the morning of the local election, with {n} "
            "candidates competing for seats on city councils.",
            "The central election commission of {country} published preliminary results, giving the ruling "
            "party {pct} percent of the vote.",
            "Opposition parties in {city} disputed the vote count in {n_small} districts and called for "
            "a recount.",
            "Turnout in the {country} election reached {turnout} percent two hours before polls closed, the "
            "central commission said.",
        ],
        "body": [
            "Observers from the OSCE said the election was well organised but lacked genuine competition.",
            "Opposition candidates called for the vote to be repeated in {n_small} districts.",
            "Polling stations in {city} opened at 8 a.m. local time.",
            "Final results of the election are expected to be published within {n_small} days.",
            "Some {n} observers were accredited to monitor the election.",
            "The commission said it had received {n_small} complaints, none of them serious.",
            "Campaigning focused on housing, wages and the cost of public transport.",
            "A new electronic register was used for the first time at this election.",
        ],
    },
    "sanctions": {
        "title": [
            "EU agrees new package of sanctions",
            "{country} expands sanctions list by {n} companies",
            "New sanctions on shipping firms take effect",
            "Banks in {city} tighten checks over sanctions",
            "{p1s} calls new sanctions illegal",
        ],
        "lead": [
            "The European Union agreed a new package of sanctions targeting {n} companies accused of "
            "supplying dual-use goods.",
            "{country} added {n} companies and individuals to its sanctions list, the foreign ministry said.",
            "New sanctions on shipping companies took effect at midnight, covering {n_small} tankers and "
            "their owners.",
            "Banks in {city} have tightened checks on transfers to avoid breaching sanctions, bankers said.",
        ],
        "body": [
            "Officials said the sanctions would take effect from the start of next month.",
            "The government of {p1s} called the sanctions illegal and promised a response.",
            "The sanctions list now includes more than {n} individuals and entities.",
            "Diplomats said the measures had been coordinated with the {org}.",
            "Lawyers expect several companies to challenge the sanctions in court.",
            "Exporters in {city2} said they had already lost several contracts because of the sanctions.",
            "Customs officers will receive additional training to enforce the new rules.",
            "The package also extends an existing asset freeze for another six months.",
        ],
    },
    "sport": {
        "title": [
            "{team} win away match in {city}",
            "Championship leaders {team} held to a draw",
            "{team} qualify for the European championship group stage",
            "Late goal decides the match in {city}",
            "{team} climb to {ordinal} place in the championship",
        ],
        "lead": [
            "{team} won the away match in {city} {score} thanks to a late goal in stoppage time.",
            "Championship leaders {team} were held to a {score} draw at home by {team2}.",
            "{team} secured a place in the group stage of the European championship after beating "
            "{team2} {score}.",
            "A header in the final minute decided the match between {team} and {team2} in {city}.",
        ],
        "body": [
            "{team} climbed to {ordinal} place in the championship table.",
            "The coach of {team2} praised his players after the match despite the result.",
            "Around {n} spectators attended the match at the national stadium.",
            "The championship resumes after the international break.",
            "The goalkeeper made {n_small} saves and was named player of the match.",
            "Fans travelled from {city2} to support the team.",
            "The club said its captain would miss the next two rounds with a knee injury.",
            "Tickets for the return leg in {city2} went on sale on the club's website.",
        ],
    },
    "culture": {
        "title": [
            "Film festival opens in {city}",
            "Carpet exhibition draws crowds in {city}",
            "Jazz festival returns to {city} after a break",
            "Museum in {city} opens exhibition of modern art",
            "{city} theatre festival announces programme",
        ],
        "lead": [
            "An international film festival opened in {city} with a programme of {n} films from {n_small} "
            "countries.",
            "A new exhibition of historic carpets opened at the national museum in {city}, drawing long "
            "queues on its first day.",
            "The jazz festival returned to {city} after a break, with concerts on {n_small} stages across "
            "the old town.",
            "A museum in {city} opened an exhibition of modern art from private collections.",
        ],
        "body": [
            "Curators said the exhibition brings together works that have never been shown in public.",
            "Tickets for the festival sold out within {n_small} days.",
            "The exhibition will run until the end of January.",
            "Organisers expect more than {n} visitors this year.",
            "The festival jury is chaired by a director from {city2}.",
            "Workshops for children are held every weekend.",
            "The opening night included a concert by a chamber orchestra from {city2}.",
            "Admission is free for students and pensioners.",
        ],
    },
    "economy": {
        "title": [
            "Inflation in {country} slows to {pct} percent",
            "Central bank of {country} keeps key rate unchanged",
            "GDP growth in {country} beats forecasts",
            "IMF revises {country} GDP forecast",
            "{country} budget deficit narrows as inflation eases",
        ],
        "lead": [
            "Annual inflation in {country} slowed to {pct} percent in October, the statistics office said.",
            "The central bank of {country} kept its key rate at {rate} percent, citing stubborn inflation.",
            "GDP in {country} grew by {pct} percent in the first nine months of the year, beating forecasts.",
            "The IMF raised its forecast for GDP growth in {country} to {pct} percent.",
        ],
        "body": [
            "Economists expect inflation to ease further next year.",
            "The IMF mission said the budget deficit should narrow to {pct} percent of GDP.",
            "Food prices rose faster than other goods in the consumer basket.",
            "The national currency was stable against the dollar.",
            "Retail lending grew by {pct} percent, the central bank said.",
            "Real wages rose for the {ordinal} consecutive quarter.",
            "Analysts in {city2} said construction and services drove the growth.",
            "The finance ministry plans to issue new bonds in the spring.",
        ],
    },
}

NEUTRAL_EN = [
    "Officials declined to give further details.",
    "The report could not be independently verified.",
    "More details are expected later in the week.",
    "Representatives of the {org} did not respond to a request for comment.",
    "Local media in {city2} carried the news prominently.",
    "The announcement followed weeks of speculation in the capital.",
    "A briefing for journalists is scheduled for the coming days.",
    "The statement was published on the government's website late in the evening.",
    "{p2} is due to visit {city2} next month, his office said.",
    "Parliament is expected to discuss the issue at its next session.",
    "The news was welcomed by business groups in {city2}.",
    "Opinion polls suggest the public remains divided on the issue.",
    "The ministry said it would publish a full report by the end of the year.",
    "Experts interviewed by our correspondent said the next few weeks would be decisive.",
    "Earlier this year, {p1s} made similar remarks during a visit to {city2}.",
    "The issue has dominated talk shows and social media in {city} for several days.",
    "Diplomats in {city2} said they were following the developments closely.",
    "The government has not yet said how the plan would be financed.",
    "Critics argue that the decision was taken without proper public consultation.",
    "Similar measures were considered two years ago but were later shelved.",
    "The opposition said it would raise the matter in parliament.",
    "A detailed timetable is expected to be presented by the end of the month.",
    "Residents of {city} interviewed by reporters gave mixed reactions.",
    "The foreign ministry of {country} said it had been informed in advance.",
    "A spokesperson for {p1s} said further statements could follow shortly.",
    "The day before, {p2s} held a telephone call with {p1s}.",
]
QUOTES_EN = [
    "\u201cWe expect concrete results, not declarations,\u201d {p1s} told reporters in {city}.",
    "\u201cThis is a serious step,\u201d a senior official in {city2} said, speaking on condition of anonymity.",
    "\u201cEverything depends on the next few days,\u201d said an analyst based in {city2}.",
    "\u201cWe are ready to continue this work,\u201d {p2s} said in a video address.",
]

# ---------------------------------------------------------------- templates, Russian

RU: dict[str, dict[str, list[str]]] = {
    "peace_talks": {
        "title": [
            "В {city_prep} начался новый раунд мирных переговоров",
            "{p1s}: мирные переговоры могут возобновиться в ближайшие недели",
            "{org} предложила провести мирные переговоры в {city_prep}",
            "{p1s} и {p2s} обсудили ход мирных переговоров",
            "Делегации прибыли в {city} для участия в мирных переговорах",
        ],
        "lead": [
            "Новый раунд мирных переговоров начался в {city_prep}, где за закрытыми дверями встретились "
            "представители {p1_gen} и {p2_gen}.",
            "{p1} заявил, что мирные переговоры могут возобновиться в {city_prep} в ближайшие недели.",
            "Посредники из {org} предложили провести мирные переговоры в {city_prep}, сообщили два "
            "дипломата, знакомых с планом.",
            "{p1} и {p2} обсудили перспективы мирных переговоров в ходе телефонного разговора, сообщили "
            "их пресс-службы.",
            "Следующий этап мирных переговоров пройдёт в {city_prep}, подтвердили в министерстве "
            "иностранных дел.",
        ],
        "body": [
            "Атмосферу на мирных переговорах в {city_prep} участники назвали деловой, но напряжённой.",
            "Проект рамочного соглашения, по данным источников, занимает {n10} страниц и касается обмена "
            "пленными и гарантий безопасности.",
            "{p2s} настаивает, что любое соглашение должно опираться на гарантии {org}.",
            "Предыдущий раунд мирных переговоров завершился без совместного заявления.",
            "Делегации должны проинформировать свои столицы до следующей встречи в {city2_prep}.",
            "Власти предложили сделать {city} постоянной площадкой для мирных переговоров.",
            "Дипломаты предупреждают, что позиции сторон по территориальным вопросам по-прежнему далеки.",
            "Первым пунктом повестки стали гуманитарные вопросы, включая возвращение задержанных.",
            "Представитель {org} заявил, что организация готова наблюдать за выполнением договорённостей.",
            "Как сообщили источники, первая сессия мирных переговоров продолжалась почти весь день.",
        ],
    },
    "ceasefire": {
        "title": [
            "Бои на линии фронта в {region} усилились",
            "Стороны обвинили друг друга в нарушении перемирия",
            "Перемирие в {region} в целом соблюдается",
            "Военные: ситуация на линии фронта остаётся сложной",
        ],
        "lead": [
            "Интенсивность боёв на линии фронта в {region} за ночь возросла, сообщили военные.",
            "Стороны обвинили друг друга в нарушении перемирия в {region}, где наблюдатели "
            "зафиксировали {n10} взрывов за одну ночь.",
            "Перемирие в {region} за последние сутки в целом соблюдалось, сообщили местные власти.",
            "На линии фронта в {region} за сутки отражено несколько атак, говорится в сводке генштаба.",
        ],
        "body": [
            "Местные власти сообщили о повреждении нескольких жилых домов и школы.",
            "Наблюдатели {org} зафиксировали {n10} нарушений перемирия за неделю.",
            "Атаки беспилотников были отмечены в {region}, жителям пришлось провести ночь в укрытиях.",
            "Представитель военного ведомства заявил, что ситуация на линии фронта остаётся сложной.",
            "Эвакуация жителей прифронтовых сёл продолжается.",
            "Инженеры восстанавливают водоснабжение, нарушенное обстрелами.",
            "Школы в районе продолжат работу в дистанционном режиме.",
            "Гуманитарные конвои задержались из-за обстрелов на несколько часов.",
        ],
    },
    "energy": {
        "title": [
            "{country} и {country2} договорились об увеличении поставок газа",
            "Цены на нефть растут на фоне рисков для поставок",
            "Министры энергетики обсудили в {city_prep} подготовку к зиме",
            "Экспорт нефти вырос на {pct}%",
        ],
        "lead": [
            "{country} и {country2} подписали в {city_prep} соглашение об увеличении поставок газа.",
            "Цены на нефть выросли на {pct}% на утренних торгах на фоне опасений перебоев с поставками.",
            "Министры энергетики нескольких стран встретились в {city_prep}, чтобы согласовать меры "
            "перед зимой.",
            "Экспорт нефти в октябре вырос на {pct}%, сообщили в министерстве энергетики.",
        ],
        "body": [
            "В министерстве энергетики сообщили, что хранилища заполнены на {pct}%.",
            "Баррель нефти марки Brent торговался около {price} долларов.",
            "Соглашение предусматривает транзит газа по Южному газовому коридору до {year} года.",
            "Аналитики отмечают, что энергетический рынок остаётся чувствительным к погоде.",
            "Компания SOCAR сообщила, что добыча нефти на морских месторождениях стабильна.",
            "Инженеры завершили ремонт компрессорной станции, и поставки газа восстановлены.",
            "Ставки фрахта танкеров на этом маршруте с лета выросли вдвое.",
            "Соглашение также предусматривает изучение экспорта зелёного водорода.",
        ],
    },
    "elections": {
        "title": [
            "Избиратели идут на участки: в стране проходят местные выборы",
            "ЦИК опубликовал предварительные итоги выборов",
            "Оппозиция оспаривает итоги голосования в {city_prep}",
            "Явка на выборах превысила {turnout}%",
        ],
        "lead": [
            "Избирательные участки открылись по всей стране: на местных выборах за места в городских "
            "советах борются {n10} кандидатов.",
            "Центральная избирательная комиссия опубликовала предварительные итоги выборов: правящая "
            "партия набирает {pct}% голосов.",
            "Оппозиция в {city_prep} оспорила итоги голосования в нескольких округах и потребовала "
            "пересчёта.",
            "Явка на выборах за два часа до закрытия участков составила {turnout}%, сообщили в ЦИК.",
        ],
        "body": [
            "Наблюдатели ОБСЕ заявили, что голосование было хорошо организовано.",
            "Кандидаты от оппозиции потребовали повторного голосования в нескольких округах.",
            "Избирательные участки в {city_prep} открылись в восемь утра по местному времени.",
            "Окончательные итоги выборов будут объявлены в течение нескольких дней.",
            "Для наблюдения за выборами аккредитовано {n10} наблюдателей.",
            "Комиссия сообщила, что получила несколько жалоб, но серьёзных нарушений не выявлено.",
            "В ходе кампании кандидаты обсуждали жильё, зарплаты и стоимость проезда.",
            "Электронный список избирателей на этих выборах применялся впервые.",
        ],
    },
    "sanctions": {
        "title": [
            "ЕС согласовал новый пакет санкций",
            "Санкционный список расширен на {n10} компаний",
            "Новые санкции против судоходных компаний вступили в силу",
            "{p1s} назвал новые санкции незаконными",
            "Банки в {city_prep} ужесточили проверку переводов",
        ],
        "lead": [
            "Европейский союз согласовал новый пакет санкций против {n10} компаний, обвиняемых в поставках "
            "товаров двойного назначения.",
            "{country} расширила санкционный список на {n10} компаний и физических лиц.",
            "Новые санкции против судоходных компаний вступили в силу в полночь.",
            "Банки в {city_prep} ужесточили проверку переводов, чтобы не нарушить санкции.",
        ],
        "body": [
            "Санкции вступят в силу с начала следующего месяца.",
            "Правительство назвало санкции незаконными и пообещало ответные меры.",
            "Санкционный список теперь включает более {n10} физических и юридических лиц.",
            "Дипломаты сообщили, что меры согласованы с партнёрами по {org}.",
            "Юристы ожидают, что ряд компаний оспорит санкции в суде.",
            "Экспортёры в {city2_prep} говорят, что из-за санкций уже потеряли несколько контрактов.",
            "Таможенники пройдут дополнительное обучение по применению новых правил.",
            "Пакет также продлевает заморозку активов ещё на шесть месяцев.",
        ],
    },
    "sport": {
        "title": [
            "«{team}» выиграл выездной матч в {city_prep}",
            "Лидер чемпионата «{team}» сыграл вничью",
            "Поздний гол решил исход матча в {city_prep}",
            "«{team}» поднялся на {ordinal} место в чемпионате",
            "«{team}» вышел в групповой этап еврокубков",
        ],
        "lead": [
            "«{team}» выиграл выездной матч в {city_prep} со счётом {score} благодаря голу в "
            "компенсированное время.",
            "Лидер чемпионата «{team}» сыграл дома вничью {score} с командой «{team2}».",
            "Гол головой на последней минуте решил исход матча «{team}» и «{team2}» в {city_prep}.",
            "«{team}» обыграл «{team2}» со счётом {score} и вышел в групповой этап еврокубков, не "
            "проиграв ни одного матча.",
        ],
        "body": [
            "Команда «{team}» поднялась на {ordinal} место в турнирной таблице чемпионата.",
            "Главный тренер «{team2}» похвалил игроков после матча, несмотря на результат.",
            "Матч посетили около {n10} зрителей.",
            "Чемпионат возобновится после паузы на игры сборных.",
            "Вратарь сделал несколько сейвов и был признан лучшим игроком матча.",
            "Болельщики приехали из {city2_gen}, чтобы поддержать команду.",
            "Клуб сообщил, что капитан пропустит два тура из-за травмы колена.",
            "Билеты на ответную встречу поступили в продажу на сайте клуба.",
        ],
    },
    "culture": {
        "title": [
            "В {city_prep} открылся фестиваль кино",
            "Выставка ковров собрала очереди в {city_prep}",
            "Джазовый фестиваль вернулся в {city}",
            "Музей в {city_prep} открыл выставку современного искусства",
        ],
        "lead": [
            "В {city_prep} открылся международный фестиваль кино, в программе которого {n10} фильмов.",
            "В национальном музее {city_gen} открылась выставка старинных ковров, в первый день у входа "
            "выстроились очереди.",
            "Джазовый фестиваль после перерыва вернулся в {city}: концерты пройдут на нескольких площадках "
            "старого города.",
            "Музей в {city_prep} открыл выставку современного искусства из частных коллекций.",
        ],
        "body": [
            "Кураторы рассказали, что выставка объединяет работы, которые ранее не показывались публике.",
            "Билеты на фестиваль были распроданы за несколько дней.",
            "Выставка продлится до конца января.",
            "Организаторы ожидают более {n10} посетителей.",
            "Жюри фестиваля возглавляет режиссёр из {city2_gen}.",
            "По выходным для детей проводятся мастер-классы.",
            "На открытии выступил камерный оркестр из {city2_gen}.",
            "Для студентов и пенсионеров вход бесплатный.",
        ],
    },
    "economy": {
        "title": [
            "Инфляция замедлилась до {pct}%",
            "Центробанк сохранил ключевую ставку",
            "Рост ВВП превзошёл прогнозы",
            "МВФ пересмотрел прогноз роста ВВП",
        ],
        "lead": [
            "Годовая инфляция в октябре замедлилась до {pct}%, сообщили в статистическом ведомстве.",
            "Центральный банк сохранил ключевую ставку на уровне {rate}%, указав на устойчивую инфляцию.",
            "ВВП за девять месяцев вырос на {pct}%, что превзошло прогнозы аналитиков.",
            "МВФ повысил прогноз роста ВВП до {pct}%.",
        ],
        "body": [
            "Экономисты ожидают дальнейшего замедления инфляции в следующем году.",
            "Миссия МВФ заявила, что дефицит бюджета должен сократиться до {pct}% ВВП.",
            "Продовольствие дорожало быстрее других товаров потребительской корзины.",
            "Курс национальной валюты оставался стабильным.",
            "Розничное кредитование выросло на {pct}%, сообщил центральный банк.",
            "Реальные зарплаты растут уже несколько кварталов подряд.",
            "Аналитики в {city2_prep} считают, что рост обеспечили строительство и услуги.",
            "Министерство финансов планирует весной выпустить новые облигации.",
        ],
    },
}

NEUTRAL_RU = [
    "Официальные лица отказались от дальнейших комментариев.",
    "Эту информацию пока не удалось независимо подтвердить.",
    "Подробности ожидаются позднее на этой неделе.",
    "Представители {org} не ответили на запрос о комментарии.",
    "Местные СМИ в {city2_prep} широко освещали эту новость.",
    "Заявление появилось после нескольких недель слухов в столице.",
    "Брифинг для журналистов запланирован на ближайшие дни.",
    "Заявление было опубликовано на сайте правительства поздно вечером.",
    "{p2} в следующем месяце посетит {city2_acc}, сообщили в его администрации.",
    "Парламент обсудит этот вопрос на ближайшей сессии.",
    "Деловые круги {city2_gen} приветствовали это решение.",
    "Опросы показывают, что мнения в обществе по этому вопросу разделились.",
    "В министерстве пообещали опубликовать полный отчёт до конца года.",
    "Опрошенные нашим корреспондентом эксперты считают, что решающими станут ближайшие недели.",
    "Ранее в этом году {p1s} делал похожие заявления во время визита в {city2_acc}.",
    "Тема уже несколько дней обсуждается в ток-шоу и социальных сетях {city_gen}.",
    "Дипломаты в {city2_prep} сообщили, что внимательно следят за развитием событий.",
    "Правительство пока не сообщило, как будет финансироваться этот план.",
    "Критики считают, что решение было принято без должного общественного обсуждения.",
    "Похожие меры рассматривались два года назад, но тогда от них отказались.",
    "Оппозиция заявила, что поднимет этот вопрос в парламенте.",
    "Подробный график ожидается до конца месяца.",
    "Жители {city_gen}, опрошенные журналистами, отреагировали на новость неоднозначно.",
    "В министерстве иностранных дел сообщили, что были заранее проинформированы.",
    "Пресс-секретарь {p1_gen} не исключил новых заявлений в ближайшее время.",
    "Накануне {p2s} провёл телефонный разговор с {p1_ins}.",
    "По словам источников, близких к {p1_dat}, решение готовилось несколько месяцев.",
]
QUOTES_RU = [
    "«Мы ждём конкретных результатов, а не деклараций», — сказал {p1s} журналистам в {city_prep}.",
    "«Это серьёзный шаг», — заявил на условиях анонимности высокопоставленный чиновник в {city2_prep}.",
    "«Всё решится в ближайшие дни», — считает аналитик из {city2_gen}.",
    "«Мы готовы продолжать эту работу», — сказал {p2s} в видеообращении.",
]

TEMPLATES = {"en": EN, "ru": RU}

# Which headlines fit which lead (index of the lead -> indexes of the titles), so a story's headline
# and first sentence tell the same story.
TITLE_FOR_LEAD: dict[str, dict[str, list[list[int]]]] = {
    "en": {
        "peace_talks": [[0, 2, 5], [1], [3], [4], [0, 2, 5]],
        "ceasefire": [[0], [1], [2], [3, 4]],
        "energy": [[0, 3], [1], [2], [4]],
        "elections": [[0, 4], [1], [2], [3]],
        "sanctions": [[0, 4], [1], [2], [3]],
        "sport": [[0, 4], [1], [2], [3]],
        "culture": [[0], [1], [2, 4], [3]],
        "economy": [[0, 4], [1], [2], [3]],
    },
    "ru": {
        "peace_talks": [[0, 4], [1], [2], [3], [4]],
        "ceasefire": [[0], [1], [2], [3]],
        "energy": [[0], [1], [2], [3]],
        "elections": [[0], [1], [2], [3]],
        "sanctions": [[0, 3], [1], [2], [4]],
        "sport": [[0, 3], [1], [2], [4]],
        "culture": [[0], [1], [2], [3]],
        "economy": [[0], [1], [2], [3]],
    },
}
NEUTRAL = {"en": NEUTRAL_EN, "ru": NEUTRAL_RU}
QUOTES = {"en": QUOTES_EN, "ru": QUOTES_RU}


def make_slots(rng: random.Random, lang: str) -> dict[str, str]:
    """One consistent set of slot values for an article (the same person is ``p1`` throughout)."""
    slots: dict[str, str] = {}
    if lang == "en":
        p1, p2 = rng.sample(PEOPLE_EN, 2)
        slots.update(p1=f"{p1[2]} {p1[0]}", p1s=p1[1], p2=f"{p2[2]} {p2[0]}", p2s=p2[1])
        c1, c2 = rng.sample(CITIES_EN, 2)
        slots.update(city=c1, city2=c2)
        slots["org"] = rng.choice(ORGS_EN)
        co1, co2 = rng.sample(COUNTRIES_EN, 2)
        slots.update(country=co1, country2=co2)
        slots["region"] = rng.choice(REGIONS_EN)
        t1, t2 = rng.sample(TEAMS_EN, 2)
        slots.update(team=t1, team2=t2, ordinal=rng.choice(ORDINALS_EN))
        slots["pct"] = f"{rng.randint(11, 95) / 10:.1f}"
        slots["rate"] = f"{rng.choice([5, 6, 7, 8, 9, 10, 11, 12, 15, 16])}.{rng.choice([0, 25, 5, 75])}"
    else:
        p1, p2 = rng.sample(PEOPLE_RU, 2)
        slots.update(
            p1=p1[0][0].upper() + p1[0][1:],
            p1s=p1[1],
            p1_gen=p1[2],
            p1_dat=p1[3],
            p1_ins=p1[4],
            p2=p2[0][0].upper() + p2[0][1:],
            p2s=p2[1],
            p2_gen=p2[2],
            p2_dat=p2[3],
            p2_ins=p2[4],
        )
        c1, c2 = rng.sample(CITIES_RU, 2)
        slots.update(
            city=c1[0],
            city_gen=c1[1],
            city_prep=c1[2],
            city2=c2[0],
            city2_gen=c2[1],
            city2_prep=c2[2],
            city2_acc=_accusative(c2[0]),
        )
        slots["org"] = rng.choice(ORGS_RU)
        co1, co2 = rng.sample(COUNTRIES_RU, 2)
        slots.update(country=co1, country2=co2)
        slots["region"] = rng.choice(REGIONS_RU)
        t1, t2 = rng.sample(TEAMS_RU, 2)
        slots.update(team=t1, team2=t2, ordinal=rng.choice(ORDINALS_RU))
        slots["pct"] = f"{rng.randint(11, 95) / 10:.1f}".replace(".", ",")
        slots["rate"] = f"{rng.choice([5, 6, 7, 8, 9, 10, 11, 12, 15, 16])},{rng.choice([0, 25, 5, 75])}"
    slots["n"] = str(rng.choice([12, 14, 15, 17, 18, 20, 24, 30, 36, 40, 45, 60, 75, 120, 150, 300, 1200]))
    slots["n10"] = str(rng.choice([20, 30, 40, 50, 60, 70, 80, 120, 150, 200, 300, 500, 1000, 2000]))
    slots["n_small"] = str(rng.randint(2, 9))
    slots["turnout"] = str(rng.randint(34, 78))
    slots["price"] = str(rng.choice([60, 65, 70, 75, 80, 85]))
    slots["year"] = str(rng.choice([2027, 2028, 2030, 2032, 2035]))
    a, b = rng.randint(0, 4), rng.randint(0, 3)
    slots["score"] = f"{a}:{b}" if lang == "ru" else f"{a}-{b}"
    return slots


def _accusative(city: str) -> str:
    """Accusative of a Russian city name (only feminine -а/-я names change: Москва → Москву)."""
    if city.endswith("а"):
        return city[:-1] + "у"
    if city.endswith("я"):
        return city[:-1] + "ю"
    return city


def fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def write_article(rng: random.Random, lang: str, topics: list[str]) -> tuple[str, list[list[str]]]:
    """Title and paragraphs (lists of sentences) for an article on ``topics`` (first = main topic).

    200-600 words, 4-7 paragraphs; the lead sentence is from the main topic, so a peace-talks
    article always opens with one of the contract's phrases.
    """
    slots = make_slots(rng, lang)
    tpl = TEMPLATES[lang]
    main = topics[0]
    lead_i = rng.randrange(len(tpl[main]["lead"]))
    title = fill(tpl[main]["title"][rng.choice(TITLE_FOR_LEAD[lang][main][lead_i])], slots)
    lead = fill(tpl[main]["lead"][lead_i], slots)
    topic_sents: list[str] = []
    for t in topics:
        pool = tpl[t]["body"]
        k = rng.randint(5, 7) if t == main else rng.randint(2, 3)
        topic_sents += [fill(s, slots) for s in rng.sample(pool, min(k, len(pool)))]
    if len(topics) > 1:
        # the secondary topic's own lead, so its keywords surely appear
        topic_sents.append(fill(rng.choice(tpl[topics[1]]["lead"]), slots))
    neutral = [fill(s, slots) for s in rng.sample(NEUTRAL[lang], rng.randint(4, 6))]
    quote = fill(rng.choice(QUOTES[lang]), slots)
    rng.shuffle(topic_sents)
    # interleave: topic sentences carry the story, neutral ones are background
    sentences = [lead]
    rest = topic_sents[:]
    while rest or neutral:
        if rest:
            sentences.append(rest.pop())
        if rest:
            sentences.append(rest.pop())
        if neutral:
            sentences.append(neutral.pop())
    sentences.insert(min(3, len(sentences)), quote)
    # top up to the word floor: first the main topic's unused sentences, then background ones
    spare_neutral = [fill(s, slots) for s in NEUTRAL[lang] if fill(s, slots) not in sentences]
    spare_topic = [fill(s, slots) for s in tpl[main]["body"] if fill(s, slots) not in sentences]
    rng.shuffle(spare_neutral)
    rng.shuffle(spare_topic)
    spare = spare_neutral + spare_topic  # popped from the end: topic sentences first
    floor = rng.randint(230, 320)
    closing = sentences.pop()
    while _words(sentences) + len(closing.split()) < floor and spare:
        sentences.append(spare.pop())
    sentences.append(closing)
    while _words(sentences) > 600:
        sentences.pop()
    paragraphs: list[list[str]] = [[sentences[0]]]
    i = 1
    while i < len(sentences):
        size = rng.randint(2, 3)
        paragraphs.append(sentences[i : i + size])
        i += size
    return title, paragraphs


def _words(sentences: list[str]) -> int:
    return sum(len(s.split()) for s in sentences)


SECTIONS = {
    "peace_talks": "politics",
    "ceasefire": "politics",
    "elections": "politics",
    "sanctions": "politics",
    "energy": "economy",
    "economy": "economy",
    "sport": "sport",
    "culture": "culture",
}
SECTION_LABELS = {
    "en": {
        "politics": "Politics",
        "economy": "Economy",
        "sport": "Sport",
        "culture": "Culture",
        "analytics": "Analytics",
    },
    "ru": {
        "politics": "Политика",
        "economy": "Экономика",
        "sport": "Спорт",
        "culture": "Культура",
        "analytics": "Аналитика",
    },
}

_RU_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def slugify(text: str, max_len: int = 60) -> str:
    out = "".join(_RU_TRANSLIT.get(ch, ch) for ch in text.lower())
    out = re.sub(r"[^a-z0-9]+", "-", out).strip("-")
    if len(out) > max_len:
        out = out[:max_len].rsplit("-", 1)[0]
    return out or "article"
