"""ORM models, one file per table."""

from bashgah.models.account import Account
from bashgah.models.api_key import ApiKey
from bashgah.models.base import Base, utcnow
from bashgah.models.branch import Branch
from bashgah.models.campaign import Campaign
from bashgah.models.campaign_award import CampaignAward
from bashgah.models.campaign_version import CampaignVersion
from bashgah.models.idempotency_record import IdempotencyRecord
from bashgah.models.lot import PointLot
from bashgah.models.member import Member
from bashgah.models.member_event import MemberEvent
from bashgah.models.program import Program
from bashgah.models.purchase import Purchase
from bashgah.models.purchase_item import PurchaseItem
from bashgah.models.refund import Refund
from bashgah.models.reservation import Reservation
from bashgah.models.staff import Staff
from bashgah.models.tenant import Tenant
from bashgah.models.transfer import Transfer

__all__ = [
    "Account",
    "ApiKey",
    "Base",
    "Branch",
    "Campaign",
    "CampaignAward",
    "CampaignVersion",
    "IdempotencyRecord",
    "Member",
    "MemberEvent",
    "PointLot",
    "Program",
    "Purchase",
    "PurchaseItem",
    "Refund",
    "Reservation",
    "Staff",
    "Tenant",
    "Transfer",
    "utcnow",
]
