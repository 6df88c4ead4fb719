"""Tenants (the businesses running a club), their branches and their programme settings."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import Conflict, InvalidInput, NotFound
from bashgah.ledger import service as ledger
from bashgah.models import Branch, Program, Tenant
from bashgah.tenants.schemas import BranchCreate, ProgrammeUpdate


async def create_tenant(session: AsyncSession, slug: str, name: str, **program: object) -> Tenant:
    if await session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise Conflict(f"tenant {slug} exists")
    tenant = Tenant(slug=slug, name=name, money_display="toman", language="fa")
    session.add(tenant)
    await session.flush()
    settings = Program(tenant_id=tenant.id)
    for field, value in ProgrammeUpdate.model_validate(program).model_dump(exclude_none=True).items():
        setattr(settings, field, value)
    session.add(settings)
    await ledger.create_system_accounts(session, tenant.id)
    await session.flush()
    return tenant


async def get_by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise NotFound("Tenant", "کسب‌وکار", detail=slug)
    return tenant


@dataclass(frozen=True)
class ProgramSettings:
    """A snapshot of the programme's settings, safe to keep outside a session."""

    earn_points: int
    earn_per_rials: int
    rounding: str
    point_value_rials: int
    pending_days: int
    expiry_mode: str
    expiry_months: int
    refund_policy: str
    reservation_minutes: int
    earn_on_stored_value: bool
    cashback_expiry_months: int


_programs: TTLCache[tuple[str, int], ProgramSettings] = TTLCache(ttl=5)
_branches: TTLCache[tuple[str, int, str], tuple[int, str]] = TTLCache(ttl=60)


async def program_settings(session: AsyncSession, tenant_id: int) -> ProgramSettings:
    """The programme's settings, read on every purchase and so cached briefly (see core.cache)."""
    key = (scope(session), tenant_id)
    found = _programs.get(key)
    if found is None:
        program = await get_program(session, tenant_id)
        found = ProgramSettings(**{f.name: getattr(program, f.name) for f in fields(ProgramSettings)})
        _programs.set(key, found)
    return found


async def get_program(session: AsyncSession, tenant_id: int) -> Program:
    program = await session.get(Program, tenant_id)
    if program is None:
        raise NotFound("Programme", "برنامهٔ باشگاه")
    return program


async def update_program(session: AsyncSession, tenant_id: int, data: ProgrammeUpdate) -> Program:
    program = await get_program(session, tenant_id)
    for field, value in data.model_dump(exclude_none=True).items():
        setattr(program, field, value)
    if program.earn_per_rials < 1:
        raise InvalidInput("earn_per_rials", "must be at least 1", "باید دست‌کم ۱ باشد")
    await session.flush()
    _programs.invalidate((scope(session), tenant_id))
    return program


async def create_branch(session: AsyncSession, tenant_id: int, data: BranchCreate) -> Branch:
    exists = await session.scalar(
        select(Branch.id).where(Branch.tenant_id == tenant_id, Branch.code == data.code)
    )
    if exists is not None:
        raise Conflict(f"branch {data.code} exists")
    branch = Branch(tenant_id=tenant_id, code=data.code, name=data.name, kind=data.kind, active=True)
    session.add(branch)
    await session.flush()
    return branch


async def list_branches(session: AsyncSession, tenant_id: int) -> list[Branch]:
    return list(
        (await session.scalars(select(Branch).where(Branch.tenant_id == tenant_id).order_by(Branch.id))).all()
    )


async def get_branch(session: AsyncSession, tenant_id: int, branch_id: int) -> Branch:
    branch = await session.scalar(select(Branch).where(Branch.tenant_id == tenant_id, Branch.id == branch_id))
    if branch is None:
        raise NotFound("Branch", "شعبه")
    return branch


async def resolve_branch(
    session: AsyncSession, tenant_id: int, code: str | None, scoped_to: int | None
) -> Branch:
    """The branch of a sale: the key's own branch for a branch-scoped key, else the one named by code."""
    if scoped_to is not None:
        branch = await get_branch(session, tenant_id, scoped_to)
        if code is not None and code != branch.code:
            raise InvalidInput(
                "branch", "this key belongs to another branch", "این کلید متعلق به شعبهٔ دیگری است", "شعبه"
            )
        return branch
    if code is None:
        raise InvalidInput("branch", "a branch code is required", "کد شعبه لازم است", "شعبه")
    found = await session.scalar(select(Branch).where(Branch.tenant_id == tenant_id, Branch.code == code))
    if found is None:
        raise NotFound("Branch", "شعبه", detail=code)
    return found


async def branch_id_for_sale(
    session: AsyncSession, tenant_id: int, code: str | None, scoped_to: int | None
) -> int:
    """Like :func:`resolve_branch` but only the id, cached: it is read on every purchase."""
    if scoped_to is not None and code is None:
        return scoped_to
    key = (scope(session), tenant_id, f"{code}@{scoped_to}")
    found = _branches.get(key)
    if found is None:
        branch = await resolve_branch(session, tenant_id, code, scoped_to)
        found = (branch.id, branch.code)
        _branches.set(key, found)
    return found[0]
