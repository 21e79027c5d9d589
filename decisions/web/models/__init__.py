"""The application's tables, as SQLAlchemy 2 typed models."""

from .audit import AuditEntry as AuditEntry
from .invitation import Invitation as Invitation
from .invitation import InvitationStatus as InvitationStatus
from .organisation import Circle as Circle
from .organisation import CircleMember as CircleMember
from .organisation import College as College
from .organisation import Membership as Membership
from .organisation import Organisation as Organisation
from .organisation import Role as Role
from .proposal import Ballot as Ballot
from .proposal import Comment as Comment
from .proposal import Elector as Elector
from .proposal import ElectorateScope as ElectorateScope
from .proposal import Proposal as Proposal
from .proposal import ProposalElector as ProposalElector
from .proposal import ProposalStatus as ProposalStatus
from .proposal import ProposalVersion as ProposalVersion
from .proposal import Round as Round
from .proposal import RoundEvent as RoundEvent
from .proposal import RoundKind as RoundKind
from .proposal import RoundStatus as RoundStatus
from .proposal import RoundTally as RoundTally
from .proposal import VotersVisibility as VotersVisibility
from .secret import Participation as Participation
from .secret import SecretTally as SecretTally
from .user import User as User
