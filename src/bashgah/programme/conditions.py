"""What campaign rules look at and whether each condition holds: pure functions over facts, no I/O.

The facts of a sale or event (:class:`Facts`), the moment in the calendars rules speak of (:class:`When`),
and one :func:`check` per condition, explaining itself in English and Persian (examine shows it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import jdatetime

from bashgah.core.errors import isolate, to_persian_digits
from bashgah.core.jalali import MONTH_NAMES_FA, TEHRAN
from bashgah.programme.schemas import (
    WEEKDAYS,
    BasketSize,
    BirthdayMonth,
    BranchIn,
    Channel,
    Condition,
    DateRange,
    DaysSinceEnrolment,
    FirstPurchase,
    Hours,
    InSegment,
    ItemMatch,
    Items,
    MemberTags,
    Occasion,
    PaymentMethod,
    PurchaseTotal,
    Schedule,
    Tier,
    Visits,
    Weekdays,
)

WEEKDAYS_FA = ("شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه")
JALALI_MONTHS_FA = MONTH_NAMES_FA


@dataclass(frozen=True)
class Line:
    sku: str
    category: str | None
    brand: str | None
    quantity: int
    unit_price_rials: int


@dataclass(frozen=True)
class MemberFacts:
    tags: tuple[str, ...] = ()
    birth_date: date | None = None
    enrolled_at: datetime | None = None
    #: Purchases of the member, the one being evaluated included (None when no rule needs them).
    visits: int | None = None
    #: Code of the member's tier level (None when the club has no tiers or no rule asks).
    tier: str | None = None
    #: The ladder's levels as (code, English name, Persian name), so a reason names levels as people do.
    tier_names: tuple[tuple[str, str, str], ...] = ()
    #: Of the segments some rule names, those the member is in.
    segments: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Earning:
    """The programme's earn rate (and the member's tier multiplier), to turn the value of some items
    into base points the way the purchase's own base points were computed."""

    points: int
    per_rials: int
    rounding: str = "floor"
    multiplier_pct: int = 100


@dataclass(frozen=True)
class Facts:
    at: datetime
    member: MemberFacts
    trigger: str = "purchase"
    event: str | None = None
    total_rials: int = 0
    paid_rials: int = 0
    base_points: int = 0
    lines: tuple[Line, ...] = ()
    payment_method: str | None = None
    channel: str | None = None
    branch: str | None = None
    earning: Earning = Earning(1, 1)


Text = Callable[[], tuple[str, str]]


@dataclass(frozen=True)
class Check:
    """One condition's verdict. The explanation is only written when asked for (examine), so a sale
    pays for the verdict alone."""

    type: str
    passed: bool
    text: Text

    @property
    def en(self) -> str:
        return self.text()[0]

    @property
    def fa(self) -> str:
        return self.text()[1]

    def why(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


def said(en: str, fa: str) -> Text:
    return lambda: (en, fa)


@dataclass(frozen=True)
class When:
    """The moment of a sale or event in the calendars rules speak of, worked out once per evaluation."""

    at: datetime
    local: datetime
    today: date
    jalali: jdatetime.date
    weekday: int

    @classmethod
    def of(cls, at: datetime) -> When:
        moment = local(at)
        today = moment.date()
        return cls(at, moment, today, jalali(today), jalali_weekday(today))


# --- time ---------------------------------------------------------------------------------------------


def local(at: datetime) -> datetime:
    return at.astimezone(TEHRAN)


def jalali_weekday(d: date) -> int:
    """0 = Saturday (شنبه) … 6 = Friday (جمعه)."""
    return (d.weekday() + 2) % 7


def jalali(d: date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=d)


def in_hours(hour: int, from_hour: int, to_hour: int) -> bool:
    if from_hour < to_hour:
        return from_hour <= hour < to_hour
    return hour >= from_hour or hour < to_hour  # wraps past midnight, e.g. 22 to 2


def period_start(now: datetime, per: str) -> datetime | None:
    """The start (UTC-aware) of the Tehran day, Jalali week (from Saturday) or Jalali month of ``now``."""
    today = local(now).date()
    if per == "day":
        start = today
    elif per == "week":
        start = today - timedelta(days=jalali_weekday(today))
    elif per == "month":
        start = today - timedelta(days=jalali(today).day - 1)
    else:
        return None
    return datetime(start.year, start.month, start.day, tzinfo=TEHRAN)


# --- conditions ---------------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def _f(value: object) -> str:
    """A figure in a Persian explanation: Persian digits and separators."""
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return to_persian_digits(text).translate(_FA_SEPARATORS)


def _day_fa(value: date) -> str:
    """A Gregorian day inside a Persian sentence, kept left to right."""
    return isolate(to_persian_digits(value.isoformat()), "fa")


_FA_SEPARATORS = str.maketrans({",": "\u066c", ".": "\u066b"})


def _between(
    kind: str, value: int, low: int | None, high: int | None, what: tuple[str, str], unit: tuple[str, str]
) -> Check:
    def text() -> tuple[str, str]:
        en, fa = f"{what[0]} {_n(value)}{unit[0]}", f"{what[1]} {_f(value)}{unit[1]}"
        if low is not None and value < low:
            return f"{en} is below {_n(low)}", f"{fa} کمتر از {_f(low)} است"
        if high is not None and value > high:
            return f"{en} is above {_n(high)}", f"{fa} بیشتر از {_f(high)} است"
        return f"{en} is in range", f"{fa} در بازه است"

    ok = (low is None or value >= low) and (high is None or value <= high)
    return Check(kind, ok, text)


def matches(match: ItemMatch, line: Line) -> bool:
    return (
        (match.skus is None or line.sku in match.skus)
        and (match.categories is None or line.category in match.categories)
        and (match.brands is None or line.brand in match.brands)
    )


def matching_units(match: ItemMatch, lines: Iterable[Line]) -> int:
    return sum(line.quantity for line in lines if matches(match, line))


def _describe(match: ItemMatch) -> tuple[str, str]:
    parts_en, parts_fa = [], []
    for name_en, name_fa, values in (
        ("sku", "کالا", match.skus),
        ("category", "دسته", match.categories),
        ("brand", "برند", match.brands),
    ):
        if values:
            parts_en.append(f"{name_en} {'/'.join(values)}")
            parts_fa.append(f"{name_fa} {'/'.join(values)}")
    return " and ".join(parts_en), " و ".join(parts_fa)


def check(condition: Condition, facts: Facts, when: When | None = None) -> Check:
    """Whether one condition holds, with the reason in both languages."""
    m = facts.member
    w = when or When.of(facts.at)
    kind = condition.type
    match condition:
        case PurchaseTotal(min_rials=low, max_rials=high):
            return _between(
                kind, facts.total_rials, low, high, ("the total", "مبلغ خرید"), (" rials", " ریال")
            )
        case Items(match=match_, min_quantity=need):
            have = matching_units(match_, facts.lines)

            def items_text() -> tuple[str, str]:
                en, fa = _describe(match_)
                if have < need:
                    return (
                        f"{have} of {need} units of {en} in the basket",
                        f"{_f(have)} از {_f(need)} عدد {fa} در سبد است",
                    )
                return f"{have} units of {en}", f"{_f(have)} عدد {fa}"

            return Check(kind, have >= need, items_text)
        case BasketSize(min_units=low, max_units=high):
            units = sum(line.quantity for line in facts.lines)
            return _between(kind, units, low, high, ("the basket has", "سبد"), (" units", " عدد دارد"))
        case PaymentMethod(methods=methods):
            ok = facts.payment_method in methods
            paid_by = facts.payment_method or "-"
            return Check(
                kind,
                ok,
                lambda: (
                    f"paid by {paid_by}" + ("" if ok else f", not {'/'.join(methods)}"),
                    f"پرداخت با {paid_by}" + ("" if ok else f"، نه {'/'.join(methods)}"),
                ),
            )
        case Channel(channel=wanted):
            ok = facts.channel == wanted
            online = facts.channel == "online"
            return Check(
                kind,
                ok,
                lambda: (
                    f"sold {'online' if online else 'in store'}" + ("" if ok else f", not {wanted}"),
                    f"فروش {'آنلاین' if online else 'حضوری'}" + ("" if ok else " است"),
                ),
            )
        case BranchIn(branches=codes):
            ok = facts.branch in codes
            branch = facts.branch
            return Check(
                kind,
                ok,
                lambda: (
                    f"branch {branch}" + ("" if ok else f" is not {'/'.join(codes)}"),
                    f"شعبهٔ {branch}" + ("" if ok else f" جزو {'/'.join(codes)} نیست"),
                ),
            )
        case MemberTags(any_of=tags):
            ok = any(t in m.tags for t in tags)
            return Check(
                kind,
                ok,
                lambda: (
                    f"the member is {'' if ok else 'not '}tagged {'/'.join(tags)}",
                    f"عضو برچسب {'/'.join(tags)} را {'دارد' if ok else 'ندارد'}",
                ),
            )
        case Tier(levels=levels):
            tier = m.tier
            if tier is None:
                return Check(kind, False, said("the club has no tiers", "باشگاه سطح‌بندی ندارد"))
            ok = tier in levels
            names = {code: (en, fa) for code, en, fa in m.tier_names}

            def level(code: str, lang: int) -> str:
                return names.get(code, (code, code))[lang]

            return Check(
                kind,
                ok,
                lambda: (
                    f"the member is {level(tier, 0)}"
                    + ("" if ok else f", not {'/'.join(level(c, 0) for c in levels)}"),
                    f"سطح عضو {level(tier, 1)} است"
                    + ("" if ok else f"، نه {'/'.join(level(c, 1) for c in levels)}"),
                ),
            )
        case InSegment(segments=wanted):
            ok = any(sid in m.segments for sid in wanted)
            listed = "/".join(str(sid) for sid in wanted)
            return Check(
                kind,
                ok,
                lambda: (
                    f"the member is {'' if ok else 'not '}in segment {listed}",
                    f"عضو در بخش {listed} {'است' if ok else 'نیست'}",
                ),
            )
        case BirthdayMonth():
            if m.birth_date is None:
                return Check(kind, False, said("the member's birthday is unknown", "تاریخ تولد عضو ثبت نشده"))
            month, born = w.jalali.month, jalali(m.birth_date).month
            return Check(
                kind,
                born == month,
                lambda: (
                    f"birthday in Jalali month {born}, now {month}",
                    f"تولد در {JALALI_MONTHS_FA[born - 1]}، اکنون {JALALI_MONTHS_FA[month - 1]}",
                ),
            )
        case DaysSinceEnrolment(min_days=low, max_days=high):
            days = (w.today - local(m.enrolled_at).date()).days if m.enrolled_at else 0
            return _between(kind, days, low, high, ("member for", "عضویت"), (" days", " روز"))
        case FirstPurchase():
            ok = m.visits == 1
            visits = m.visits
            return Check(
                kind,
                ok,
                lambda: (
                    "the member's first purchase" if ok else f"the member's purchase number {visits}",
                    "نخستین خرید عضو" if ok else f"خرید شمارهٔ {_f(visits)} عضو",
                ),
            )
        case Visits(min_visits=low, max_visits=high):
            return _between(kind, m.visits or 0, low, high, ("visit number", "مراجعهٔ شمارهٔ"), ("", ""))
        case DateRange(start=start, end=end):
            today = w.today
            if start is not None and today < start:
                return Check(
                    kind,
                    False,
                    lambda: (f"{today} is before {start}", f"{_day_fa(today)} پیش از {_day_fa(start)} است"),
                )
            if end is not None and today > end:
                return Check(
                    kind,
                    False,
                    lambda: (f"{today} is after {end}", f"{_day_fa(today)} پس از {_day_fa(end)} است"),
                )
            return Check(kind, True, lambda: (f"{today} is in range", f"{_day_fa(today)} در بازه است"))
        case Weekdays(days=days):
            wd = w.weekday
            ok = WEEKDAYS[wd] in days
            return Check(
                kind,
                ok,
                lambda: (
                    WEEKDAYS[wd] + ("" if ok else f" is not {'/'.join(days)}"),
                    WEEKDAYS_FA[wd] + ("" if ok else " جزو روزهای کمپین نیست"),
                ),
            )
        case Hours(from_hour=low, to_hour=high):
            hour = w.local.hour
            ok = in_hours(hour, low, high)
            return Check(
                kind,
                ok,
                lambda: (
                    f"{hour}:00 Tehran time is {'' if ok else 'not '}between {low}:00 and {high}:00",
                    f"ساعت {_f(hour)} به وقت تهران {'' if ok else 'خارج از '}بازهٔ {_f(low)} تا {_f(high)}"
                    + (" است" if ok else ""),
                ),
            )
        case Occasion(occasion=name):
            jd = w.jalali
            ok = (jd.month == 1 and jd.day <= 13) if name == "nowruz" else (jd.month == 9 and jd.day == 30)
            label_fa = "نوروز" if name == "nowruz" else "یلدا"
            return Check(
                kind,
                ok,
                lambda: (
                    f"{jd.strftime('%Y/%m/%d')} is {'' if ok else 'not '}{name}",
                    f"{_f(jd.strftime('%Y/%m/%d'))} {'' if ok else 'در '}{label_fa}{' است' if ok else ' نیست'}",
                ),
            )
    raise AssertionError(f"unknown condition {condition!r}")  # pragma: no cover - the union is closed


def check_schedule(schedule: Schedule, at: datetime, when: When | None = None) -> Check:
    if schedule.starts_at is not None and at < schedule.starts_at:
        return Check("schedule", False, said("the campaign has not started yet", "کمپین هنوز شروع نشده است"))
    if schedule.ends_at is not None and at >= schedule.ends_at:
        return Check("schedule", False, said("the campaign has ended", "کمپین تمام شده است"))
    w = when or When.of(at)
    if schedule.weekdays is not None and WEEKDAYS[w.weekday] not in schedule.weekdays:
        wd = w.weekday
        return Check(
            "schedule",
            False,
            lambda: (f"the campaign does not run on {WEEKDAYS[wd]}", f"کمپین {WEEKDAYS_FA[wd]} فعال نیست"),
        )
    low, high, hour = schedule.from_hour, schedule.to_hour, w.local.hour
    if low is not None and high is not None and not in_hours(hour, low, high):
        return Check(
            "schedule",
            False,
            lambda: (
                f"the campaign runs {low}:00–{high}:00, not at {hour}:00",
                f"کمپین از ساعت {_f(low)} تا {_f(high)} فعال است، نه ساعت {_f(hour)}",
            ),
        )
    return Check("schedule", True, said("the campaign is running", "کمپین فعال است"))
