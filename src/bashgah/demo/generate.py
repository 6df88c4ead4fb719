"""The demo club's people and sales, generated from a seed: plausible, varied and reproducible.

Everything here is a pure function of ``(seed, today)``: the same seed on the same day gives the same
club. Members and purchases come out as the rows of an import file, and go through the importers.

* **Members**: Persian given and family names (compound ones with their ZWNJ, a few typed on an Arabic
  keyboard), mobiles of the Iranian operators, a birth date (Jalali) for most, a national code with a
  valid check digit for some, SMS consent for most, a home branch.
* **Enrolment**: the club opened ``HISTORY_DAYS`` ago; a crowd joined in its first three weeks and the
  rest one by one since. A customer joins at the till (or the web shop) a few minutes before their first
  purchase — their enrolment date is in the members file, and their consent is dated with it.
* **Visits**: how often a customer comes follows a Pareto law, so a fifth of the customers bring most
  of the money; a customer comes only after joining, as often as their time in the club allows; sales
  cluster on Thursday and Friday evenings, before Nowruz and on Yalda; baskets are log-normal (online
  ones bigger) and priced in round tomans.
* **Redemptions**: a customer now and then spends points they could spend at that moment — earned at
  least the programme's ``pending_days`` before. The demo programme's points last 12 months, longer
  than the six months generated, so no lot expires inside the window.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol

import jdatetime

from bashgah.core.errors import InvalidInput
from bashgah.core.jalali import TEHRAN, to_jalali_str
from bashgah.core.normalize import normalize_national_code
from bashgah.demo.names import ARABIC_LETTERS, FAMILY, FEMALE, MALE
from bashgah.ledger import rules

#: How far back the club's history goes (its opening day), in days before today.
HISTORY_DAYS = 182
#: Share of the members who joined in the club's first three weeks (the opening crowd).
OPENING_SHARE = 0.3
OPENING_DAYS = 21

#: The member the README's tour uses: «سارا محمدی», 09121234567, with a few hundred spendable points.
TOUR_MOBILE = "09121234567"
TOUR_FIRST_NAME = "سارا"
TOUR_LAST_NAME = "محمدی"
#: Her purchases: (days before today, hour, minute, total in rials). All but the last are past the
#: seven days' return window: 462 points to spend, and 85 still pending.
TOUR_SALES = (
    (150, 18, 20, 1_250_000),
    (96, 11, 5, 780_000),
    (61, 19, 40, 1_430_000),
    (33, 17, 15, 540_000),
    (12, 20, 30, 620_000),
    (2, 12, 10, 850_000),
)
#: She joined at Vanak a quarter of an hour before her first purchase.
TOUR_JOINED = (150, 18, 5)


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    kind: Literal["store", "online"]
    #: Receipt numbers look like VNK-000123.
    prefix: str


BRANCHES = (
    BranchSpec("tehran-vanak", "ونک", "store", "VNK"),
    BranchSpec("tehran-tajrish", "تجریش", "store", "TJR"),
    BranchSpec("online", "فروشگاه اینترنتی", "online", "WEB"),
)
#: Share of customers whose home branch is each of the above.
HOME_SHARES = (0.45, 0.35, 0.20)
MOBILE_PREFIXES = (
    "0912", "0919", "0935", "0936", "0937", "0938", "0939", "0901",
    "0902", "0903", "0990", "0991", "0921", "0922", "0910", "0913", "0917",
)  # fmt: skip

# Iranian week: Saturday is the first working day, Friday the weekend; Thursday evening is busy.
_WEEKDAY = {5: 0.9, 6: 0.9, 0: 0.95, 1: 0.95, 2: 1.0, 3: 1.35, 4: 1.2}  # date.weekday() → weight
_STORE_HOURS = {
    9: 0.3, 10: 0.6, 11: 0.8, 12: 1.0, 13: 0.9, 14: 0.6, 15: 0.5, 16: 0.7,
    17: 1.0, 18: 1.3, 19: 1.5, 20: 1.5, 21: 1.2, 22: 0.6,
}  # fmt: skip
_ONLINE_HOURS = {h: w for h, w in zip(range(24), (0.4, 0.25, 0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4, 0.6, 0.7,
                 0.8, 0.9, 0.9, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.5, 1.3, 0.8), strict=True)}  # fmt: skip


class EarnRules(Protocol):
    """What the generator needs of the programme to know which redemptions are affordable."""

    @property
    def earn_points(self) -> int: ...
    @property
    def earn_per_rials(self) -> int: ...
    @property
    def rounding(self) -> str: ...
    @property
    def point_value_rials(self) -> int: ...
    @property
    def pending_days(self) -> int: ...


@dataclass
class Customer:
    mobile: str
    #: The row of the members file.
    record: dict[str, str]
    #: How often they come, relative to others (Pareto).
    frequency: float
    #: How much they put in a basket, relative to others.
    basket: float
    home: int
    #: When they joined (Tehran time); their first purchase, if any, follows within minutes.
    joined: datetime


def _mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if mobile not in taken:
            taken.add(mobile)
            return mobile


def _national_code(rng: random.Random, taken: set[str]) -> str:
    # Random digits until the check digit holds: the real rule decides, one try in ten succeeds.
    while True:
        candidate = f"{rng.randrange(10**10):010d}"
        try:
            code = normalize_national_code(candidate)
        except InvalidInput:
            continue
        if code not in taken:
            taken.add(code)
            return code


def _birth_date(rng: random.Random, today: date) -> str:
    age_days = rng.randint(18 * 365, 70 * 365)
    return to_jalali_str(today - timedelta(days=age_days))


def _moment(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), TEHRAN)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")  # Tehran time, as a till writes it


def _joined(rng: random.Random, today: date, days: int, online: bool) -> datetime:
    """When a customer joined: in the opening weeks for some, any day since for the others (never today)."""
    opening = rng.random() < OPENING_SHARE
    ago = rng.randint(days - OPENING_DAYS + 1, days) if opening else rng.randint(1, days)
    hours = _ONLINE_HOURS if online else _STORE_HOURS
    hour = rng.choices(list(hours), list(hours.values()))[0]
    # Minutes before :45, so that the first purchase that follows stays on the same day.
    return _moment(today - timedelta(days=ago), hour, rng.randrange(45), rng.randrange(60))


def customers(rng: random.Random, count: int, today: date, days: int = HISTORY_DAYS) -> list[Customer]:
    """``count`` members, the tour member first."""
    mobiles = {TOUR_MOBILE}
    codes: set[str] = set()
    ago, hour, minute = TOUR_JOINED
    tour_joined = _moment(today - timedelta(days=ago), hour, minute)
    people = [
        Customer(
            TOUR_MOBILE,
            {
                "mobile": TOUR_MOBILE,
                "first_name": TOUR_FIRST_NAME,
                "last_name": TOUR_LAST_NAME,
                "gender": "female",
                "birth_date": "1368/06/15",
                "email": "sara.mohammadi@example.com",
                "sms_consent": "1",
                "branch": BRANCHES[0].code,
                "created_at": _stamp(tour_joined),
            },
            0.0,
            1.0,
            0,
            tour_joined,
        )
    ]
    for n in range(1, count):
        female = rng.random() < 0.52
        first = rng.choice(FEMALE if female else MALE)
        last = rng.choice(FAMILY)
        if rng.random() < 0.03:
            first, last = first.translate(ARABIC_LETTERS), last.translate(ARABIC_LETTERS)
        frequency = min(rng.paretovariate(1.16), 40.0) if rng.random() > 0.08 else 0.0
        home = rng.choices(range(len(BRANCHES)), HOME_SHARES)[0]
        tags = []
        if frequency > 12:
            tags.append("VIP")
        if rng.random() < 0.02:
            tags.append("کارمند")
        joined = _joined(rng, today, days, BRANCHES[home].kind == "online")
        record = {
            "mobile": _mobile(rng, mobiles),
            "first_name": first,
            "last_name": last,
            "gender": "female" if female else "male",
            "birth_date": _birth_date(rng, today) if rng.random() < 0.6 else "",
            "national_code": _national_code(rng, codes) if rng.random() < 0.4 else "",
            "email": f"customer{n:04d}@example.com" if rng.random() < 0.15 else "",
            "tags": ", ".join(tags),
            "sms_consent": "1" if rng.random() < 0.7 else "0",
            "branch": BRANCHES[home].code,
            "created_at": _stamp(joined),
        }
        basket = math.exp(rng.gauss(0, 0.35)) * (1 + 0.08 * math.log1p(frequency))
        people.append(Customer(record["mobile"], record, frequency, basket, home, joined))
    return people


def _day_weights(days: list[date]) -> list[float]:
    weights = []
    for day in days:
        weight = _WEEKDAY[day.weekday()]
        j = jdatetime.date.fromgregorian(date=day)
        if j.month == 12 and j.day >= 15:  # shopping for Nowruz
            weight *= 1.8
        elif j.month == 9 and 25 <= j.day <= 30:  # Yalda, the longest night
            weight *= 1.5
        weights.append(weight)
    return weights


@dataclass
class _Sale:
    at: datetime
    mobile: str
    branch: int
    total: int
    redeem: int = 0


def _basket(rng: random.Random, customer: Customer, online: bool) -> int:
    median = 2_400_000 if online else 1_200_000
    rials = median * customer.basket * math.exp(rng.gauss(0, 0.65))
    # Prices end in round hundreds of tomans (5,000 rials).
    return max(50_000, int(round(rials / 5_000)) * 5_000)


def _redeem_now(rng: random.Random, sale: _Sale, spendable: int, program: EarnRules) -> int:
    if spendable < 300 or rng.random() > 0.08:
        return 0
    affordable = min(spendable, sale.total // program.point_value_rials)
    points = int(affordable * rng.uniform(0.5, 1.0)) // 10 * 10
    return points if points >= 50 else 0


def sales(
    rng: random.Random, people: list[Customer], today: date, program: EarnRules, days: int = HISTORY_DAYS
) -> list[dict[str, str]]:
    """The purchases of the ``days`` before ``today`` (Tehran), as rows of a purchases file.

    A customer's first purchase follows their enrolment by a few minutes, at their home branch; the
    others fall on the days after, as many as their frequency and their time in the club give.
    """
    calendar = [today - timedelta(days=d) for d in range(days, 0, -1)]
    weights = _day_weights(calendar)
    made: list[_Sale] = []
    for customer in people[1:]:
        if not customer.frequency:
            continue  # joined and never bought (yet)
        start = (customer.joined.date() - calendar[0]).days
        later = range(start + 1, len(calendar))
        share = (len(calendar) - start) / len(calendar)
        visits = max(1, int(customer.frequency * 3.0 * share + rng.random()))
        home_online = BRANCHES[customer.home].kind == "online"
        first = customer.joined + timedelta(minutes=rng.randint(2, 14), seconds=rng.randrange(60))
        mine = [_Sale(first, customer.mobile, customer.home, _basket(rng, customer, home_online))]
        days_after = rng.choices(later, [weights[i] for i in later], k=visits - 1) if later else []
        for index in days_after:
            branch = customer.home if rng.random() < 0.8 else rng.randrange(len(BRANCHES))
            online = BRANCHES[branch].kind == "online"
            hours = _ONLINE_HOURS if online else _STORE_HOURS
            hour = rng.choices(list(hours), list(hours.values()))[0]
            at = _moment(calendar[index], hour, rng.randrange(60), rng.randrange(60))
            mine.append(_Sale(at, customer.mobile, branch, _basket(rng, customer, online)))
        mine.sort(key=lambda s: s.at)
        _spend_now_and_then(rng, mine, program)
        made.extend(mine)
    for days_ago, hour, minute, total in TOUR_SALES:
        made.append(_Sale(_moment(today - timedelta(days=days_ago), hour, minute), TOUR_MOBILE, 0, total))
    made.sort(key=lambda s: (s.at, s.mobile))
    counters = [0] * len(BRANCHES)
    rows = []
    for sale in made:
        counters[sale.branch] += 1
        spec = BRANCHES[sale.branch]
        rows.append(
            {
                "mobile": sale.mobile,
                "branch": spec.code,
                "external_id": f"{spec.prefix}-{counters[sale.branch]:06d}",
                "total_rials": str(sale.total),
                "occurred_at": _stamp(sale.at),
                "redeem_points": str(sale.redeem) if sale.redeem else "",
            }
        )
    return rows


def _spend_now_and_then(rng: random.Random, mine: list[_Sale], program: EarnRules) -> None:
    """Let a customer spend, at some visits, points that were spendable at that moment."""
    earned: list[tuple[datetime, int]] = []  # (spendable from, points)
    spent = 0
    for sale in mine:
        spendable = sum(points for since, points in earned if since <= sale.at) - spent
        sale.redeem = _redeem_now(rng, sale, spendable, program)
        spent += sale.redeem
        paid = sale.total - sale.redeem * program.point_value_rials
        points = rules.points_for(paid, program.earn_points, program.earn_per_rials, program.rounding)
        earned.append((rules.available_after(sale.at, program.pending_days), points))
