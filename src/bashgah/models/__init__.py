"""ORM models, one file per table."""

from bashgah.models.account import Account
from bashgah.models.api_key import ApiKey
from bashgah.models.audit_entry import AuditEntry
from bashgah.models.base import Base, utcnow
from bashgah.models.branch import Branch
from bashgah.models.campaign import Campaign
from bashgah.models.campaign_award import CampaignAward
from bashgah.models.campaign_version import CampaignVersion
from bashgah.models.coupon_batch import CouponBatch
from bashgah.models.coupon_code import CouponCode
from bashgah.models.coupon_use import CouponUse
from bashgah.models.gift_card import GiftCard
from bashgah.models.idempotency_record import IdempotencyRecord
from bashgah.models.login_throttle import LoginThrottle
from bashgah.models.lot import PointLot
from bashgah.models.member import Member
from bashgah.models.member_event import MemberEvent
from bashgah.models.member_otp import MemberOtp
from bashgah.models.member_score import MemberScore
from bashgah.models.member_stamp_card import MemberStampCard
from bashgah.models.member_tier import MemberTier
from bashgah.models.notice import Notice
from bashgah.models.occasion_award import OccasionAward
from bashgah.models.occasion_rule import OccasionRule
from bashgah.models.program import Program
from bashgah.models.purchase import Purchase
from bashgah.models.purchase_item import PurchaseItem
from bashgah.models.refund import Refund
from bashgah.models.reservation import Reservation
from bashgah.models.reward import Reward
from bashgah.models.reward_instance import RewardInstance
from bashgah.models.reward_voucher import RewardVoucher
from bashgah.models.segment import Segment
from bashgah.models.segment_member import SegmentMember
from bashgah.models.staff import Staff
from bashgah.models.stamp_award import StampAward
from bashgah.models.stamp_card import StampCard
from bashgah.models.tenant import Tenant
from bashgah.models.tier_change import TierChange
from bashgah.models.tier_level import TierLevel
from bashgah.models.tier_policy import TierPolicy
from bashgah.models.transfer import Transfer
from bashgah.models.web_session import WebSession

__all__ = [
    "Account",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Branch",
    "Campaign",
    "CampaignAward",
    "CampaignVersion",
    "CouponBatch",
    "CouponCode",
    "CouponUse",
    "GiftCard",
    "IdempotencyRecord",
    "LoginThrottle",
    "Member",
    "MemberEvent",
    "MemberOtp",
    "MemberScore",
    "Notice",
    "OccasionAward",
    "OccasionRule",
    "MemberStampCard",
    "PointLot",
    "Program",
    "Purchase",
    "PurchaseItem",
    "Refund",
    "Reservation",
    "Reward",
    "RewardInstance",
    "RewardVoucher",
    "Segment",
    "SegmentMember",
    "Staff",
    "StampAward",
    "StampCard",
    "Tenant",
    "TierChange",
    "TierLevel",
    "TierPolicy",
    "MemberTier",
    "Transfer",
    "WebSession",
    "utcnow",
]
